import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { Clients } from './create-clients';

export interface DependencyStatus {
  name: string;
  ok: boolean;
  detail: string;
}

async function probe(name: string, timeoutMs: number, call: () => Promise<unknown>): Promise<DependencyStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      call(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, detail: 'reachable' };
  } catch (error) {
    // Only the first line: SDK errors can carry request details further down.
    return { name, ok: false, detail: String((error as Error).message ?? error).split('\n')[0].slice(0, 200) };
  } finally {
    clearTimeout(timer);
  }
}

/** Cheap calls against each dependency the migration needs, with short timeouts. */
export async function checkDependencies(deps: { clients: Clients }): Promise<DependencyStatus[]> {
  const { s3, lake, cosmos } = deps.clients;
  return Promise.all([
    probe('lake', 3000, () => lake.exists()),
    probe('cosmos', 5000, () => cosmos.getDatabaseAccount()),
    probe('s3', 3000, () => s3.send(new ListBucketsCommand({}))),
  ]);
}
