import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { cutoverCheck } from '../../src/sync/cutover';
import { TableStore } from '../../src/sync/table-store';
import { guarded } from './answers';
import { badRequest } from './read-json';
import { invalidName, notRegistered, type TablesDependencies } from './tables';

/** The most `?maxLagMinutes=` may be: a year. */
const MAX_LAG_MINUTES = 525_600;

/** `?maxLagMinutes=`: absent, or a number of minutes from 0 to a year. */
function maxLagOf(request: HttpRequest): { ok: true; value?: number } | { ok: false; response: HttpResponseInit } {
  const text = request.query.get('maxLagMinutes');
  if (text === null || text === '') return { ok: true };
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(value) || value > MAX_LAG_MINUTES) {
    return {
      ok: false,
      response: badRequest([
        { field: 'maxLagMinutes', message: `must be a number of minutes from 0 to ${MAX_LAG_MINUTES}` },
      ]),
    };
  }
  return { ok: true, value };
}

/**
 * `GET /api/tables/{name}/cutover[?maxLagMinutes=n]`: whether the table's container is ready to take over
 * (src/sync/cutover.ts), from its ledger: 200 with `ready` and the reasons, whatever the answer.
 */
export function cutoverHandler(deps: TablesDependencies) {
  return guarded(
    'checking the cut-over of table',
    async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
      const name = request.params.name;
      const invalid = invalidName(name);
      if (invalid) return invalid;
      const maxLag = maxLagOf(request);
      if (!maxLag.ok) return maxLag.response;
      const store = new TableStore(deps().lake);
      if (!(await store.getRegistration(name))) return notRegistered(name);
      const now = new Date();
      const { value: ledger } = await store.getLedger(name, now.toISOString());
      return { status: 200, jsonBody: cutoverCheck(ledger, now, maxLag.value) };
    },
  );
}
