import { createServer, type Server } from 'node:net';
import { rmSync } from 'node:fs';
import { checkHealth } from '../../../tools/localstack/health';
import { isListening } from '../../../tools/localstack/net';
import { endpointsFor, settingsFor } from '../../../tools/localstack/settings';
import { ensureLocalStack, startLocalStack } from '../../../tools/localstack/stack';
import { freeTestPorts, makeStateDir, useLocalStack } from '../../support/stack';

const local = useLocalStack();

describe('reusing running emulators', () => {
  it('startLocalStack refuses ports that are already taken, naming them', async () => {
    const stateDir = makeStateDir();
    try {
      await expect(startLocalStack({ stateDir, ports: local.stack.ports })).rejects.toThrow(
        new RegExp(`Cannot start azurite: blob on 127.0.0.1:${local.stack.ports.blob}.* already in use`),
      );
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('ensureLocalStack reuses them and its stop() leaves them running', async () => {
    const reused = await ensureLocalStack({ stateDir: local.stack.stateDir, ports: local.stack.ports });
    expect(reused.emulators.map((e) => [e.name, e.startedHere, e.pid])).toEqual([
      ['azurite', false, undefined],
      ['s3rver', false, undefined],
      ['cosmos', false, undefined],
    ]);
    expect(reused.settings).toEqual(local.settings);
    await reused.stop();
    expect((await checkHealth(local.settings)).filter((h) => !h.ok)).toEqual([]);
  });

  it('refuses to guess when only part of an emulator is up', async () => {
    const ports = await freeTestPorts();
    const impostor: Server = createServer();
    await new Promise<void>((resolve) => impostor.listen(ports.queue, '127.0.0.1', resolve));
    const stateDir = makeStateDir();
    try {
      await expect(ensureLocalStack({ stateDir, ports })).rejects.toThrow(/Only part of azurite is up/);
      // Nothing was started for the other emulators either.
      expect(await isListening(ports.s3)).toBe(false);
      expect(await isListening(ports.cosmos)).toBe(false);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('checkHealth reports every service down, quickly, when nothing listens', async () => {
    const ports = await freeTestPorts();
    const started = Date.now();
    const health = await checkHealth(settingsFor(endpointsFor(ports)), { timeoutMs: 2000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(health.map((h) => [h.name, h.ok])).toEqual([
      ['blob', false],
      ['queue', false],
      ['table', false],
      ['s3', false],
      ['cosmos', false],
    ]);
    for (const result of health) expect(result.detail).not.toBe('');
  });

  it('checkHealth explains which settings are missing', async () => {
    const health = await checkHealth({});
    expect(Object.fromEntries(health.map((h) => [h.name, h.detail]))).toMatchObject({
      blob: 'neither LAKE_CONNECTION nor AzureWebJobsStorage is set',
      queue: 'AzureWebJobsStorage is not set',
      table: 'AzureWebJobsStorage is not set',
      cosmos: 'COSMOS_ENDPOINT or COSMOS_KEY is not set',
    });
  });
});
