import { HttpRequest, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { listMigrationsHandler } from '../../../functions/http/list-migrations';

/**
 * GET /api/migrations against a stand-in for the Durable HTTP API: 250 instances, of which the migrations are
 * every fifth (the rest are batch sub-orchestrations and syncs), served 100 a page as the task hub does.
 */
const instances = Array.from({ length: 250 }, (_, i) => ({
  name: i % 5 === 0 ? 'migrateExport' : i % 5 === 1 ? 'syncTable' : 'migrateFileBatch',
  instanceId: i % 5 === 0 ? `migrate-${String(i).padStart(3, '0')}` : `migrate-${String(i).padStart(3, '0')}:batch-0`,
  runtimeStatus: i < 240 ? 'Completed' : 'Running',
  input: {
    source: { bucket: 'b', exportPrefix: `p/${i}` },
    target: { database: 'd', container: `c${i}`, partitionKeyPaths: ['/pk'] },
  },
  customStatus: { phase: 'done', files: { total: 1, copied: 1, loaded: 1, failed: 0 } },
  output: null,
  createdTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString().slice(0, 19) + 'Z',
  lastUpdatedTime: '2026-01-01T01:00:00Z',
}));

let server: Server;
let base = '';
const requests: URL[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    const top = Number(url.searchParams.get('top'));
    const statuses = url.searchParams.get('runtimeStatus')?.split(',');
    const from = Number(req.headers['x-ms-continuation-token'] ?? 0);
    const matching = instances.filter((i) => !statuses || statuses.includes(i.runtimeStatus));
    const page = matching.slice(from, from + top);
    res.setHeader('x-ms-continuation-token', from + top < matching.length ? String(from + top) : '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(page));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runtime/webhooks/durabletask/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function list(query: Record<string, string>): Promise<{ status: number; body: any }> {
  const input = df.input.durableClient();
  const context = new InvocationContext({
    options: { trigger: { type: 'httpTrigger', name: 'req' }, extraInputs: [input], extraOutputs: [] } as never,
  });
  context.extraInputs.set(input, {
    taskHubName: 'hub',
    creationUrls: {},
    managementUrls: { id: 'INSTANCEID', statusQueryGetUri: `${base}instances/INSTANCEID?taskHub=hub` },
    rpcBaseUrl: base,
  });
  const response = await listMigrationsHandler(
    new HttpRequest({ method: 'GET', url: 'http://app/api/migrations', query }),
    context,
  );
  return { status: response.status ?? 200, body: response.jsonBody };
}

describe('GET /api/migrations', () => {
  test('pages through the migrations only, each once, whatever the hub pages hold', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: any } = await list({
        top: '7',
        ...(token ? { continuationToken: token } : {}),
      });
      expect(page.status).toBe(200);
      expect(page.body.migrations.length).toBeLessThanOrEqual(7);
      seen.push(...page.body.migrations.map((m: any) => m.instanceId));
      token = page.body.continuationToken;
      pages++;
    } while (token && pages < 50);
    const expected = instances.filter((i) => i.name === 'migrateExport').map((i) => i.instanceId);
    expect([...seen].sort()).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(expected.length / 7));
    // Asked of the hub as the HTTP API documents it: a page size and the inputs (for source and target).
    expect(requests[0].pathname).toBe('/runtime/webhooks/durabletask/instances/');
    expect(requests[0].searchParams.get('top')).toBe('100');
    expect(requests[0].searchParams.get('showInput')).toBe('true');
  });

  test('a page is newest first and says where each migration reads and writes', async () => {
    const { body } = await list({ top: '3' });
    expect(body.migrations.map((m: any) => m.instanceId)).toEqual(['migrate-010', 'migrate-005', 'migrate-000']);
    expect(body.migrations[0]).toEqual(
      expect.objectContaining({
        runtimeStatus: 'Completed',
        startedBy: 'api',
        source: { bucket: 'b', exportPrefix: 'p/10' },
        target: { database: 'd', container: 'c10' },
        progress: expect.objectContaining({ phase: 'done' }),
      }),
    );
  });

  test('filters by runtime status and refuses what it does not understand', async () => {
    const running = await list({ runtimeStatus: 'Running' });
    expect(running.body.migrations.map((m: any) => m.instanceId)).toEqual(['migrate-245', 'migrate-240']);
    expect(running.body.continuationToken).toBeNull();
    expect((await list({ runtimeStatus: 'Sleeping' })).status).toBe(400);
    expect((await list({ top: '101' })).status).toBe(400);
    expect((await list({ createdTimeFrom: 'yesterday' })).status).toBe(400);
    expect((await list({ continuationToken: 'abc' })).status).toBe(400);
  });
});
