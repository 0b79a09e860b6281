import { compareRoutes, compileRoute, matchRoute } from '../../../tools/devhost/http/routeTemplate';
import { isAuthorized, toAuthLevel } from '../../../tools/devhost/http/auth';

describe('route templates', () => {
  it('extracts {param} segments, case-insensitive literals, URL-decoded values', () => {
    const route = compileRoute('products/{category}/{id}');
    expect(matchRoute(route, 'Products/garden%20tools/7')).toEqual({ category: 'garden tools', id: '7' });
    expect(matchRoute(route, 'products/garden')).toBeUndefined();
    expect(matchRoute(route, 'products/a/b/c')).toBeUndefined();
  });

  it('supports optional parameters and catch-alls', () => {
    const optional = compileRoute('items/{id?}');
    expect(matchRoute(optional, 'items')).toEqual({});
    expect(matchRoute(optional, 'items/3')).toEqual({ id: '3' });
    const catchAll = compileRoute('files/{*path}');
    expect(matchRoute(catchAll, 'files/a/b%20c/d.txt')).toEqual({ path: 'a/b c/d.txt' });
    expect(matchRoute(catchAll, 'files')).toEqual({});
  });

  it('enforces constraints', () => {
    const route = compileRoute('orders/{id:int}/{code:alpha:length(3)}');
    expect(matchRoute(route, 'orders/12/abc')).toEqual({ id: '12', code: 'abc' });
    expect(matchRoute(route, 'orders/x/abc')).toBeUndefined();
    expect(matchRoute(route, 'orders/12/abcd')).toBeUndefined();
    expect(matchRoute(compileRoute('g/{id:guid}'), 'g/4b2f8f46-9d4c-4a4e-9a5c-1f1f8e2a7c11')).toBeDefined();
    expect(matchRoute(compileRoute('r/{n:range(1,5)}'), 'r/9')).toBeUndefined();
  });

  it('matches several parameters inside one segment', () => {
    expect(matchRoute(compileRoute('download/{name}.{ext}'), 'download/report.final.pdf')).toEqual({
      name: 'report.final',
      ext: 'pdf',
    });
  });

  it('prefers literal segments over parameters and catch-alls', () => {
    const routes = ['{*all}', 'users/{id}', 'users/me'].map(compileRoute).sort(compareRoutes);
    expect(routes.map((r) => r.template)).toEqual(['users/me', 'users/{id}', '{*all}']);
  });
});

describe('auth levels', () => {
  const query = (q: string) => new URLSearchParams(q);

  it('leaves everything open without a configured key (local mode)', () => {
    expect(isAuthorized('admin', undefined, query(''), undefined)).toBe(true);
  });

  it('requires the key as ?code= or x-functions-key for function/admin routes', () => {
    expect(isAuthorized('function', 'k1', query(''), undefined)).toBe(false);
    expect(isAuthorized('function', 'k1', query('code=k1'), undefined)).toBe(true);
    expect(isAuthorized('admin', 'k1', query(''), 'k1')).toBe(true);
    expect(isAuthorized('function', 'k1', query('code=k2'), undefined)).toBe(false);
    expect(isAuthorized('anonymous', 'k1', query(''), undefined)).toBe(true);
  });

  it('defaults a missing authLevel to function', () => {
    expect(toAuthLevel(undefined)).toBe('function');
    expect(toAuthLevel('Anonymous')).toBe('anonymous');
  });
});
