import { promises as fs } from 'fs';
import { startHostProcess, tempDir } from './hostProcess';

// Azure's Node.js worker handles only uncaught exceptions, by exiting, and Node raises an unhandled rejection as one:
// the local host ends the same way, so the tests meet a stray rejection as Azure would (docs/azure-fidelity.md).
it('an unhandled promise rejection ends the host with exit code 1, naming it', async () => {
  const stateDir = await tempDir('devhost-stray-');
  const host = await startHostProcess({ stateDir, env: { 'AzureWebJobs.tick.Disabled': 'true' } });
  try {
    const exited = new Promise<number | null>((resolve) => host.child.once('exit', (code) => resolve(code)));
    expect((await fetch(`${host.url}/api/stray-rejection`, { method: 'POST' })).status).toBe(202);
    expect(await exited).toBe(1);
    expect(host.output()).toContain('Worker uncaught exception (an unhandled promise rejection): nobody awaited this');
  } finally {
    await host.stop().catch(() => undefined);
    await fs.rm(stateDir, { recursive: true, force: true });
  }
}, 60_000);
