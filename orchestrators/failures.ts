import type { OrchestrationContext } from 'durable-functions';
import { ErrorCode, ErrorInfo, publicErrorOf } from '../src/errors';

/**
 * A failure as the orchestration may show it (status output, report, ledger): `[CODE] message`, one line. An
 * error without a known code gets `fallback` and a correlation id; its full text, with Durable's details
 * (the stack trace among them), goes to the log under that id, and only there. The id comes from
 * `context.df.newGuid`, so a replay computes the same one.
 */
export function publicFailure(
  context: OrchestrationContext,
  error: unknown,
  what: string,
  fallback: ErrorCode = 'INTERNAL',
): ErrorInfo {
  const { correlationId, ...info } = publicErrorOf(
    error,
    what,
    () => context.df.newGuid(context.df.instanceId),
    fallback,
  );
  if (correlationId !== undefined && !context.df.isReplaying) {
    const details = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    context.error(`[${info.code}] correlation id ${correlationId} (${context.df.instanceId}): ${details}`);
  }
  return info;
}
