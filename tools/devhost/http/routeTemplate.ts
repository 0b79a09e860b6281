/**
 * ASP.NET-style route templates as used by Functions HTTP triggers: `{name}`, `{name?}`, `{*rest}`,
 * `{name:constraint}` and several parameters inside one segment (`{file}.{ext}`). Literals match
 * case-insensitively, parameters never span `/` except the catch-all.
 */

interface ParamSpec {
  name: string;
  optional: boolean;
  catchAll: boolean;
  constraints: string[];
}

export interface CompiledRoute {
  template: string;
  regexp: RegExp;
  params: ParamSpec[];
  /** Higher sorts first: literal segments beat parameters, catch-alls come last (ASP.NET precedence). */
  precedence: number[];
}

const PARAM = /\{([^{}]+)\}/g;

function parseParam(raw: string): ParamSpec {
  let body = raw.trim();
  const catchAll = body.startsWith('*');
  body = body.replace(/^\*+/, '');
  let optional = false;
  if (body.endsWith('?')) {
    optional = true;
    body = body.slice(0, -1);
  }
  const eq = body.indexOf('=');
  if (eq >= 0) {
    // A default value makes the parameter optional for matching purposes.
    optional = true;
    body = body.slice(0, eq);
  }
  const [name, ...constraints] = splitConstraints(body);
  return { name: name.trim(), optional: optional || catchAll, catchAll, constraints };
}

/** Splits `id:int:min(1)` on colons outside parentheses (regex constraints may contain colons). */
function splitConstraints(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of body) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function segmentPrecedence(segment: string): number {
  if (!segment.includes('{')) return 4;
  if (/^\{\*/.test(segment)) return 0;
  if (/^\{[^{}]*\}$/.test(segment)) return segment.includes(':') ? 2 : 1;
  return 3;
}

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/');
  const params: ParamSpec[] = [];
  let source = '';
  for (const segment of segments) {
    const whole = /^\{([^{}]+)\}$/.exec(segment);
    if (whole) {
      const spec = parseParam(whole[1]);
      params.push(spec);
      const group = spec.catchAll ? '(.*)' : '([^/]+)';
      source += spec.optional ? `(?:/${group})?` : `/${group}`;
      continue;
    }
    let segSource = '';
    let last = 0;
    for (const match of segment.matchAll(PARAM)) {
      segSource += escapeRegExp(segment.slice(last, match.index));
      const spec = parseParam(match[1]);
      params.push(spec);
      // Greedy from the left equals ASP.NET's right-to-left matching: `{name}.{ext}` on a.b.pdf → a.b + pdf.
      segSource += spec.optional ? '([^/]*)' : '([^/]+)';
      last = (match.index ?? 0) + match[0].length;
    }
    segSource += escapeRegExp(segment.slice(last));
    source += `/${segSource}`;
  }
  return {
    template: trimmed,
    regexp: new RegExp(`^${source}/?$`, 'i'),
    params,
    precedence: segments.map(segmentPrecedence),
  };
}

const CONSTRAINTS: Record<string, (value: string, arg?: string) => boolean> = {
  int: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2147483648,
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  guid: (v) => /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i.test(v),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  decimal: (v) => /^-?\d+(\.\d+)?$/.test(v),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  minlength: (v, a) => v.length >= Number(a),
  maxlength: (v, a) => v.length <= Number(a),
  length: (v, a) => {
    const [min, max] = (a ?? '').split(',').map(Number);
    return max === undefined ? v.length === min : v.length >= min && v.length <= max;
  },
  min: (v, a) => Number(v) >= Number(a),
  max: (v, a) => Number(v) <= Number(a),
  range: (v, a) => {
    const [min, max] = (a ?? '').split(',').map(Number);
    return Number(v) >= min && Number(v) <= max;
  },
  regex: (v, a) => new RegExp(a ?? '', 'i').test(v),
};

function satisfies(value: string, constraint: string): boolean {
  const m = /^(\w+)(?:\((.*)\))?$/s.exec(constraint.trim());
  if (!m) return true;
  const check = CONSTRAINTS[m[1].toLowerCase()];
  // Unknown constraints are accepted rather than silently making the route unreachable.
  return check ? check(value, m[2]) : true;
}

/** Returns decoded route parameters, or undefined when the path does not match. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const normalized = path === '' ? '' : `/${path.replace(/^\/+/, '')}`.replace(/\/$/, '');
  const match = route.regexp.exec(normalized);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.params.length; i++) {
    const spec = route.params[i];
    const raw = match[i + 1];
    if (raw === undefined || raw === '') {
      if (!spec.optional) return undefined;
      continue;
    }
    let value: string;
    try {
      value = spec.catchAll ? raw.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!spec.constraints.every((c) => satisfies(value, c))) return undefined;
    params[spec.name] = value;
  }
  return params;
}

/** Orders routes so that the most specific template is tried first. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    const diff = (b.precedence[i] ?? -1) - (a.precedence[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}
