/**
 * A full verification survives kill -9 of the host (issue 16): the container side is slowed (every page of its read
 * feed waits) so the host can be killed while a feed range is being read, after the export files were; the next host
 * replays the orchestration, runs none of the finished activities again, reads the range again from the start (its
 * output is overwritten, not appended to) and reports the same result as an uninterrupted run.
 */
import { buildFullExport } from '../../tools/sample/build-export';
import { uploadExport } from '../../tools/sample/upload-export';
import { postJson, requestJson, useAppHost, waitForCompletion } from '../support/app-host';
import { useLocalStack } from '../support/stack';
import { cosmosServerCertificate, FaultProxy, startFaultProxy } from './support/fault-proxy';
import { invocations, logSize, readLog, waitForLogLine } from './support/host-log';
import { BUCKET, directClients } from './support/migration';

const stack = useLocalStack({ quiet: true, applyEnv: true });
const hostEnv: Record<string, string> = {};
let cosmos: FaultProxy;
let slowReads = false;
beforeAll(async () => {
  cosmos = await startFaultProxy(stack.endpoints.cosmos, {
    tls: cosmosServerCertificate(),
    // The container side reads the read feed a page at a time: `items.readAll()` sends it as the query
    // `SELECT * from c` (POST …/docs), each page with a query plan request beside it, which is not slowed.
    plan: (request) =>
      slowReads &&
      /\/docs(\?|$)/.test(request.url) &&
      (request.method === 'GET' ||
        ((String(request.headers['x-ms-documentdb-isquery']).toLowerCase() === 'true' ||
          String(request.headers['content-type']).startsWith('application/query+json')) &&
          String(request.headers['x-ms-cosmos-is-query-plan-request']).toLowerCase() !== 'true'))
        ? { kind: 'delay', ms: 1500 }
        : undefined,
  });
  hostEnv.COSMOS_ENDPOINT = cosmos.url;
});
afterAll(async () => cosmos?.stop());
const app = useAppHost(stack, hostEnv);
const TABLE = 'killed-verify';

test('kill -9 while the container is read: the verification resumes and passes with every document', async () => {
  const generated = buildFullExport({ prefix: 'exports/killed-verify', itemCount: 20_000, fileCount: 4, seed: 43 });
  await uploadExport(directClients(stack).s3, BUCKET, generated);
  const put = await requestJson('PUT', `${app.url}/api/tables/${TABLE}`, {
    source: { bucket: BUCKET, exportsPrefix: 'exports/killed-verify' },
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    target: { database: 'faults', container: TABLE },
    options: { sampleSize: 20 },
  });
  expect(put.status).toBe(201);
  const sync = await postJson(`${app.url}/api/tables/${TABLE}/sync`, {});
  expect((await waitForCompletion(sync.body.statusQueryGetUri, 300_000)).output.state).toBe('up-to-date');

  slowReads = true;
  const from = logSize(app.logFile);
  const started = await postJson(`${app.url}/api/tables/${TABLE}/verify`, {});
  expect(started.status).toBe(202);
  // Every export file read, and the feed range under way: kill then.
  const files = generated.files.length;
  const deadline = Date.now() + 120_000;
  while (
    invocations(readLog(app.logFile, from)).filter((r) => r.functionName === 'verifyExpectedFile' && r.ok).length <
    files
  ) {
    if (Date.now() > deadline) throw new Error('the export files were not read in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await waitForLogLine(app.logFile, /\[verifyContainerRange\] verification .*: feed range 0/, from, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const beforeKill = invocations(readLog(app.logFile, from));
  expect(beforeKill.some((r) => r.functionName === 'verifyContainerRange' && r.ok)).toBe(false);
  await app.restart(true);

  const status = await waitForCompletion(started.body.statusQueryGetUri, 300_000);
  expect(status.runtimeStatus).toBe('Completed');
  expect(status.output).toEqual(
    expect.objectContaining({
      passed: true,
      expected: generated.itemCount,
      actual: generated.itemCount,
      matched: generated.itemCount,
      missingCount: 0,
      unexpectedCount: 0,
      differingCount: 0,
    }),
  );
  const runs = invocations(readLog(app.logFile, from)).filter((r) => r.ok);
  const count = (name: string) => runs.filter((r) => r.functionName === name).length;
  // Finished before the kill, so not run again; the range read was cut off and ran once more, to its end.
  expect(count('verifyExpectedFile')).toBe(files);
  expect(count('verifyPlan')).toBe(1);
  expect(count('verifyContainerRange')).toBe(1);
  expect(count('verifyReport')).toBe(1);
  const ranReads = readLog(app.logFile, from).match(/\[verifyContainerRange\] verification .*: feed range 0/g) ?? [];
  expect(ranReads.length).toBe(2);
}, 600_000);
