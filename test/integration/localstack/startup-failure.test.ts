import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isListening } from '../../../tools/localstack/net';
import { startLocalStack } from '../../../tools/localstack/stack';
import { freeTestPorts, makeStateDir } from '../../support/stack';

describe('startup failures', () => {
  let stateDir: string;

  beforeEach(() => {
    stateDir = makeStateDir();
  });

  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('names the failing emulator and its log, keeps a damaged Cosmos snapshot, and stops the others', async () => {
    const snapshot = join(stateDir, 'cosmos', 'account.ndjson');
    mkdirSync(join(stateDir, 'cosmos'), { recursive: true });
    writeFileSync(snapshot, '{"kind":"header","format":"cosmosdb-server-snapshot","version":1}\n{not json\n');
    const ports = await freeTestPorts();

    const failure = startLocalStack({ stateDir, ports });
    await expect(failure).rejects.toThrow(/^cosmos exited during startup \(code 1, signal null\)\. Log: .*cosmos\.log/);
    await expect(failure).rejects.toThrow(/line 2 is unusable/);

    // The damaged file is left for inspection rather than replaced by an empty account.
    expect(readFileSync(snapshot, 'utf8')).toContain('{not json');
    const open = await Promise.all(Object.values(ports).map((port) => isListening(port)));
    expect(open).toEqual([false, false, false, false, false]);
  });

  it('reports an emulator that never becomes ready before the deadline', async () => {
    const ports = await freeTestPorts();
    await expect(startLocalStack({ stateDir, ports, startTimeoutMs: 1 })).rejects.toThrow(
      /did not become ready in time \(.*\)\. Log: /,
    );
    const open = await Promise.all(Object.values(ports).map((port) => isListening(port)));
    expect(open).toEqual([false, false, false, false, false]);
  });
});
