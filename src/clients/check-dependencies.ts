import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { Clients } from './create-clients';

export interface DependencyStatus {
  name: string;
  ok: boolean;
  detail: string;
}

/** HTTP status of an AWS or Azure SDK error, when the service answered at all. */
function statusOf(error: unknown): number | undefined {
  const e = error as { $metadata?: { httpStatusCode?: number }; statusCode?: number; code?: number | string };
  return e?.$metadata?.httpStatusCode ?? e?.statusCode ?? (typeof e?.code === 'number' ? e.code : undefined);
}

/**
 * The endpoint is anonymous, so an answer from a service is reported by error name and status only: SDK
 * messages can name roles, accounts or resources. Network errors keep their first line (what to fix).
 */
function describeFailure(error: unknown): string {
  const status = statusOf(error);
  if (status !== undefined) return `${(error as Error).name ?? 'Error'} (HTTP ${status})`;
  return String((error as Error).message ?? error)
    .split('\n')[0]
    .slice(0, 200);
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
    return { name, ok: false, detail: describeFailure(error) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * S3 answers, and our credentials were evaluated. A least-privilege role may not list buckets: AccessDenied
 * then still proves both (a bad credential is InvalidAccessKeyId or ExpiredToken, and fails the check).
 */
export async function reachS3(s3: S3Client, abortSignal?: AbortSignal): Promise<void> {
  try {
    await s3.send(new ListBucketsCommand({}), { abortSignal });
  } catch (error) {
    if ((error as Error).name === 'AccessDenied') return;
    throw error;
  }
}

/** Cheap calls against each dependency the migration needs, with short timeouts. */
export async function checkDependencies(deps: { clients: Clients }): Promise<DependencyStatus[]> {
  const { s3, lake, cosmos } = deps.clients;
  return Promise.all([
    probe('lake', 3000, () => lake.exists()),
    probe('cosmos', 5000, () => cosmos.getDatabaseAccount()),
    probe('s3', 3000, () => reachS3(s3)),
  ]);
}
