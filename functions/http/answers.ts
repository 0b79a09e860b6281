import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { publicErrorOf } from '../../src/errors';

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/**
 * Runs an HTTP handler so that a failure nobody expected (the lake or the Durable store unreachable) answers
 * 500 with `[INTERNAL] … (correlation id …)` and nothing else: the error's details (a stack trace, paths of
 * the machine) go to the log under that id, never into the answer. Requests that are merely wrong, aliased or
 * racing are answered 400, 404 or 409 by the handlers themselves.
 */
export function guarded(what: string, handler: Handler): Handler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      const failure = publicErrorOf(error, what, () => randomUUID());
      const details = error instanceof Error ? (error.stack ?? error.message) : String(error);
      context.error(`${failure.message}: ${details}`);
      return { status: 500, jsonBody: { error: failure.message } };
    }
  };
}

/**
 * A finished orchestration's `output` as the API shows it: a failure (Durable keeps it as text, which may hold
 * its details) becomes `[CODE] message`, one line; a report or a sync result stays as it is.
 */
export function publicOutput(instanceId: string, runtimeStatus: unknown, output: unknown): unknown {
  if (output === undefined || output === null) return null;
  if (typeof output !== 'string' || runtimeStatus !== 'Failed') return output;
  return publicErrorOf(output, `instance ${instanceId}`, () => instanceId).message;
}
