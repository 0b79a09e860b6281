import { FunctionDefinition } from '../app/functionIndex';
import { AuthLevel, toAuthLevel } from './auth';
import { compareRoutes, compileRoute, CompiledRoute, matchRoute } from './routeTemplate';

export interface HttpRoute {
  fn: FunctionDefinition;
  route: CompiledRoute;
  /** Upper-case methods; undefined accepts every method (no `methods` in the registration). */
  methods: Set<string> | undefined;
  authLevel: AuthLevel;
}

export type RouteResolution =
  | { kind: 'match'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

/** Maps `<routePrefix>/<route ?? name>` paths to HTTP-triggered functions. */
export class HttpRouter {
  readonly routes: HttpRoute[];

  constructor(functions: FunctionDefinition[]) {
    this.routes = functions
      .map((fn) => {
        const template = typeof fn.trigger.route === 'string' && fn.trigger.route !== '' ? fn.trigger.route : fn.name;
        const methods = Array.isArray(fn.trigger.methods)
          ? new Set(fn.trigger.methods.map((m: unknown) => String(m).toUpperCase()))
          : undefined;
        return { fn, route: compileRoute(template), methods, authLevel: toAuthLevel(fn.trigger.authLevel) };
      })
      .sort((a, b) => compareRoutes(a.route, b.route));
  }

  /** `path` is relative to the route prefix, without query string. */
  resolve(path: string, method: string): RouteResolution {
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = matchRoute(route.route, path);
      if (!params) continue;
      if (!route.methods || route.methods.has(method.toUpperCase())) {
        return { kind: 'match', route, params };
      }
      route.methods.forEach((m) => allow.add(m));
    }
    return allow.size > 0 ? { kind: 'methodNotAllowed', allow: [...allow] } : { kind: 'notFound' };
  }
}
