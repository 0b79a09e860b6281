import { oneLine } from '../logger';

export interface InvocationSummary {
  functionName: string;
  instanceId?: string;
  durationMs: number;
  /** undefined means success. */
  error?: string;
}

/**
 * The single stdout line per invocation. Deliberately carries no request data (bodies and headers may hold
 * secrets): only the function, the durable instance, the duration and the outcome.
 */
export function formatInvocationLine(summary: InvocationSummary): string {
  const parts = [`Executed '${summary.functionName}'`];
  if (summary.instanceId) {
    parts.push(`instance=${summary.instanceId}`);
  }
  parts.push(`${Math.round(summary.durationMs)}ms`);
  parts.push(summary.error === undefined ? 'ok' : `error: ${oneLine(summary.error)}`);
  return parts.join(' ');
}
