import { Command } from 'commander';
import { ApiOptions, expectStatus } from './api-client';

/** What `POST /api/migrations/{id}/terminate` answers (functions/http/terminate-migration.ts). */
export interface TerminateAnswer {
  instanceId: string;
  runtimeStatus: string;
  /** Instances asked to stop by this call: the migration while it ran, and children of any of its runs. */
  stopping: string[];
  moreChildren: boolean;
  message: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Stops a migration and the children of all its runs, and waits until nothing of it runs: termination is queued,
 * so the endpoint is asked again (it only asks what still runs to stop) until it answers 200. Returns every
 * instance that was asked to stop; throws when something still runs after `timeoutMs`.
 */
export async function stopMigration(
  api: ApiOptions,
  instanceId: string,
  options: { intervalMs?: number; timeoutMs?: number; onAnswer?: (answer: TerminateAnswer) => void } = {},
): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const stopped = new Set<string>();
  for (;;) {
    const answer = (await expectStatus(
      api,
      'POST',
      `api/migrations/${encodeURIComponent(instanceId)}/terminate`,
      [200, 202],
    )) as TerminateAnswer;
    options.onAnswer?.(answer);
    if (answer.stopping.length === 0) return [...stopped];
    answer.stopping.forEach((id) => stopped.add(id));
    if (Date.now() > deadline) {
      throw new Error(
        `${instanceId}: still stopping after ${options.timeoutMs ?? 120_000} ms: ${answer.stopping.join(', ')}`,
      );
    }
    await sleep(options.intervalMs ?? 2000);
  }
}

type Run = (action: () => Promise<number>) => Promise<void>;

/** `ddb2cosmos stop <id>`: terminate a migration and the children of its runs, wait until none runs. */
export function addStopCommand(program: Command, apiOptions: (command: Command) => ApiOptions, run: Run): void {
  program
    .command('stop <id>')
    .description('terminate a migration and every child orchestration of its runs; waits until none runs')
    .option('--timeout <seconds>', 'give up waiting after this long', '120')
    .action((id: string, opts: { timeout: string }, command: Command) =>
      run(async () => {
        const timeoutMs = Number(opts.timeout) * 1000;
        if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error('--timeout must be a number of seconds');
        const stopped = await stopMigration(apiOptions(command), id, { timeoutMs });
        process.stdout.write(
          stopped.length > 0
            ? `stopped ${stopped.length} instance(s): ${stopped.join(', ')}; the migration can be started again\n`
            : `nothing of ${id} was running; it can be started again\n`,
        );
        return 0;
      }),
    );
}
