/**
 * `ddb2cosmos stop`'s loop against a scripted server: it asks POST …/terminate again while the answer names
 * instances still stopping, returns every instance it asked to stop once the answer is 200, and gives up after its
 * timeout naming what still runs.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { stopMigration } from '../../../src/cli/stop';

const ID = 'migrate-0123456789abcdef0123456789abcdef';

function answer(stopping: string[]) {
  return { instanceId: ID, runtimeStatus: 'Terminated', stopping, moreChildren: false, message: '' };
}

/** A server that answers each request with the next of `answers` (the last one again when they run out). */
async function scripted(answers: object[]): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers['x-functions-key'] ?? ''}`);
    const body = answers[Math.min(requests.length - 1, answers.length - 1)] as { stopping: string[] };
    response.writeHead(body.stopping.length > 0 ? 202 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('stopMigration', () => {
  test('asks again until nothing runs, and returns everything it asked to stop', async () => {
    const lane = (n: number) => `${ID}:20261202T065033123Z:lane-${n}`;
    const { url, requests, server } = await scripted([answer([ID, lane(0), lane(1)]), answer([lane(1)]), answer([])]);
    try {
      const stopped = await stopMigration({ baseUrl: url, functionKey: 'k' }, ID, { intervalMs: 1 });
      expect(stopped.sort()).toEqual([ID, lane(0), lane(1)].sort());
      expect(requests).toEqual(Array(3).fill(`POST /api/migrations/${ID}/terminate k`));
    } finally {
      server.close();
    }
  });

  test('nothing running: one request, nothing stopped', async () => {
    const { url, requests, server } = await scripted([answer([])]);
    try {
      await expect(stopMigration({ baseUrl: url }, ID, { intervalMs: 1 })).resolves.toEqual([]);
      expect(requests).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  test('still stopping after the timeout: fails naming what runs', async () => {
    const { url, server } = await scripted([answer([`${ID}:x:lane-0`])]);
    try {
      await expect(stopMigration({ baseUrl: url }, ID, { intervalMs: 5, timeoutMs: 20 })).rejects.toThrow(
        `${ID}: still stopping after 20 ms: ${ID}:x:lane-0`,
      );
    } finally {
      server.close();
    }
  });
});
