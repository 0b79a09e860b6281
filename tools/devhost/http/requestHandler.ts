import { IncomingMessage, ServerResponse } from 'http';
import { DURABLE_WEBHOOK_PATH } from '../durable/clientBinding';
import { ManagementApi } from '../durable/managementApi';
import { errorMessage, Logger, oneLine } from '../logger';
import { TimerTriggers } from '../timer/timerTriggers';
import { isAuthorized } from './auth';
import { BodyTooLargeError, readBody, sendJson } from './httpMessages';
import { HttpRouter } from './httpRouter';
import { HttpTriggerDeps, runHttpTrigger } from './httpTrigger';

export interface RequestHandlerDeps {
  router: HttpRouter;
  routePrefix: string;
  functionKey: string | undefined;
  httpTrigger: HttpTriggerDeps;
  management: ManagementApi;
  timers: TimerTriggers;
  logger: Logger;
  /** Origin used when a request carries no Host header. */
  fallbackOrigin: () => string;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Strips the route prefix; undefined when the path lies outside it. */
function relativeToPrefix(pathname: string, prefix: string): string | undefined {
  if (prefix === '') return pathname;
  const lower = pathname.toLowerCase();
  const base = `/${prefix.toLowerCase()}`;
  if (lower === base || lower === `${base}/`) return '';
  return lower.startsWith(`${base}/`) ? pathname.slice(base.length + 1) : undefined;
}

/**
 * Request dispatch of the host: Durable management API, a few admin endpoints, then HTTP triggers under the
 * route prefix. Nothing here logs request bodies or headers.
 */
export function createRequestHandler(deps: RequestHandlerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const host = headerValue(req, 'host');
    const origin = host ? `http://${host}` : deps.fallbackOrigin();
    const url = new URL(req.url ?? '/', origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const lower = path.toLowerCase();

    if (lower === DURABLE_WEBHOOK_PATH || lower.startsWith(`${DURABLE_WEBHOOK_PATH}/`)) {
      const body = await readBody(req);
      const response = await deps.management.handle({
        method,
        path: path.slice(DURABLE_WEBHOOK_PATH.length),
        query: url.searchParams,
        headers: req.headers,
        body,
        origin,
      });
      sendJson(res, response);
      return;
    }

    if (lower === '/admin/host/ping' || lower === '/admin/host/status') {
      sendJson(res, { status: 200, body: lower.endsWith('status') ? { state: 'Running' } : undefined });
      return;
    }

    const adminFunction = /^\/admin\/functions\/([^/]+)$/i.exec(path);
    if (adminFunction && method === 'POST') {
      if (!isAuthorized('admin', deps.functionKey, url.searchParams, headerValue(req, 'x-functions-key'))) {
        sendJson(res, { status: 401 });
        return;
      }
      const ran = await deps.timers.runNow(decodeURIComponent(adminFunction[1]));
      sendJson(res, { status: ran ? 202 : 404 });
      return;
    }

    const relative = relativeToPrefix(path, deps.routePrefix);
    const resolution = relative === undefined ? { kind: 'notFound' as const } : deps.router.resolve(relative, method);
    if (resolution.kind === 'notFound') {
      sendJson(res, { status: 404 });
      return;
    }
    if (resolution.kind === 'methodNotAllowed') {
      sendJson(res, { status: 405, headers: { Allow: resolution.allow.join(', ') } });
      return;
    }
    const { route, params } = resolution;
    if (!isAuthorized(route.authLevel, deps.functionKey, url.searchParams, headerValue(req, 'x-functions-key'))) {
      sendJson(res, { status: 401 });
      return;
    }
    const body = await readBody(req);
    await runHttpTrigger(deps.httpTrigger, route, params, req, res, url, body);
  };

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BodyTooLargeError) {
        if (!res.headersSent) sendJson(res, { status: 413 });
        return;
      }
      deps.logger.error(
        `Request ${req.method ?? ''} ${oneLine(new URL(req.url ?? '/', 'http://x').pathname)} failed: ${oneLine(errorMessage(err))}`,
      );
      if (!res.headersSent) {
        sendJson(res, { status: 500 });
      } else {
        res.end();
      }
    });
  };
}
