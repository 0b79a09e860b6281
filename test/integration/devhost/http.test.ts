import { promises as fs } from 'fs';
import { getJson, HostProcess, startHostProcess, tempDir } from './hostProcess';

const KEY = 'devhost-test-key';

describe('devhost HTTP triggers', () => {
  let host: HostProcess;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await tempDir('devhost-http-');
    host = await startHostProcess({
      stateDir,
      args: ['--function-key', KEY],
      env: { FIXTURE_ROUTE_SEGMENT: 'from-env', 'AzureWebJobs.tick.Disabled': 'true' },
    });
  });

  afterAll(async () => {
    await host?.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('passes route params, optional params and the query to the real HttpRequest', async () => {
    const full = await getJson(`${host.url}/api/greet/ada/hi?q=1`);
    expect(full.status).toBe(200);
    expect(full.body).toEqual({ name: 'ada', greeting: 'hi', q: '1', url: `${host.url}/api/greet/ada/hi?q=1` });
    const optional = await getJson(`${host.url}/API/Greet/ada`);
    expect(optional.body).toMatchObject({ name: 'ada', greeting: 'Hello', q: null });
    expect(optional.headers.get('set-cookie')).toBe('visited=yes; Path=/; HttpOnly');
  });

  it('supports catch-all segments and constrained params with a request body', async () => {
    expect(await (await fetch(`${host.url}/api/files/a/b%20c/d.txt`)).text()).toBe('path=a/b c/d.txt');
    const echo = await getJson(`${host.url}/api/echo/42`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: [1, 2] }),
    });
    expect(echo.status).toBe(201);
    expect(echo.headers.get('x-echo-id')).toBe('42');
    expect(echo.body).toEqual({ id: 42, method: 'PUT', body: { x: [1, 2] } });
  });

  it('answers 404 for unmatched routes and constraints, 405 for wrong methods', async () => {
    expect((await fetch(`${host.url}/api/greet/ada42`)).status).toBe(404);
    expect((await fetch(`${host.url}/api/echo/not-a-number`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${host.url}/api/nowhere`)).status).toBe(404);
    expect((await fetch(`${host.url}/greet/ada`)).status).toBe(404);
    const wrongMethod = await fetch(`${host.url}/api/greet/ada`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('returns what the handler returns, 500 when it throws and 204 when it returns nothing', async () => {
    const invalid = await getJson(`${host.url}/api/greet/ada?fail=validation`);
    expect(invalid).toMatchObject({ status: 400, body: { error: 'invalid request' } });
    expect((await fetch(`${host.url}/api/crash`)).status).toBe(500);
    expect((await fetch(`${host.url}/api/noResponse`)).status).toBe(204);
  });

  it('resolves %Setting% binding expressions from the environment', async () => {
    expect((await getJson(`${host.url}/api/setting/from-env`)).body).toEqual({ segment: 'from-env' });
  });

  it('enforces function-level auth when a key is configured, anonymous routes stay open', async () => {
    expect((await fetch(`${host.url}/api/secure`)).status).toBe(401);
    expect((await fetch(`${host.url}/api/secure?code=wrong`)).status).toBe(401);
    expect(await (await fetch(`${host.url}/api/secure?code=${KEY}`)).text()).toBe('secret');
    expect((await fetch(`${host.url}/api/secure`, { headers: { 'x-functions-key': KEY } })).status).toBe(200);
    expect((await fetch(`${host.url}/admin/functions/tick`, { method: 'POST' })).status).toBe(401);
  });

  it('runs appStart, preInvocation and postInvocation hooks', async () => {
    await fetch(`${host.url}/api/greet/hooked`);
    const { body } = await getJson<{ appStarted: boolean; pre: Record<string, number>; post: Record<string, number> }>(
      `${host.url}/api/hooks`,
    );
    expect(body.appStarted).toBe(true);
    expect(body.pre.greet).toBeGreaterThanOrEqual(1);
    expect(body.post.greet).toBe(body.pre.greet);
  });

  it('logs one line per invocation without request bodies or headers', async () => {
    await fetch(`${host.url}/api/echo/7`, {
      method: 'POST',
      headers: { authorization: 'Bearer header-s3cret', 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'body-s3cret' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const output = host.output();
    expect(output).toMatch(/Executed 'echo' \d+ms ok\n/);
    expect(output).toMatch(/Executed 'crash' \d+ms error: handler crashed\n/);
    expect(output).not.toContain('s3cret');
    expect(output).not.toContain(KEY);
  });
});
