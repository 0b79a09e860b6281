import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ContainerClient } from '@azure/storage-blob';
import { runningStatus } from '../../src/durable/running-status';
import { startSync } from '../../src/sync/start-sync';
import { ConcurrentUpdateError, TableStore } from '../../src/sync/table-store';
import { syncInstanceId, TableRegistration } from '../../src/sync/types';
import { tableNameProblems, validateTableRegistration } from '../../src/sync/validate-registration';
import { guarded, publicOutput } from './answers';
import { badRequest, readJson } from './read-json';

/** What the table endpoints need from the app: the lake (where registrations live) and the allow-list. */
export type TablesDependencies = () => { lake: ContainerClient; allowedSources: string[] };

export function notRegistered(name: string): HttpResponseInit {
  return {
    status: 404,
    jsonBody: { error: `table ${name} is not registered; register it with PUT /api/tables/${name}` },
  };
}

async function syncView(client: df.DurableClient, table: string): Promise<object> {
  const instanceId = syncInstanceId(table);
  try {
    const status = await client.getStatus(instanceId, { showInput: false });
    if (status?.name) {
      return {
        instanceId,
        runtimeStatus: status.runtimeStatus,
        lastUpdatedTime: status.lastUpdatedTime,
        progress: status.customStatus ?? null,
        output: publicOutput(instanceId, status.runtimeStatus, status.output),
      };
    }
  } catch {
    // No sync has run yet.
  }
  return { instanceId, runtimeStatus: null };
}

/** Changing where a synced table goes would mix two containers in one ledger. */
function sameDestination(
  a: Pick<TableRegistration, 'keySchema' | 'target' | 'source'>,
  b: Pick<TableRegistration, 'keySchema' | 'target' | 'source'>,
): boolean {
  return JSON.stringify([a.keySchema, a.target, a.source]) === JSON.stringify([b.keySchema, b.target, b.source]);
}

/**
 * Every table route and verb starts here: `{name}` arrives URL-decoded (`..%2F..%2Flake` is `../../lake`), and
 * only a DynamoDB table name may become a folder of the lake or a sync instance id; anything else is a 400.
 */
export function invalidName(name: string): HttpResponseInit | undefined {
  const problems = tableNameProblems(name);
  return problems ? badRequest(problems) : undefined;
}

/** `PUT /api/tables/{name}`: registers a table for sync (201) or updates its options (200). */
export function putTableHandler(deps: TablesDependencies) {
  return guarded(
    'registering table',
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const name = request.params.name;
      const parsed = await readJson(request);
      if (!parsed.ok) return badRequest([{ field: '(body)', message: parsed.message }]);
      const { lake, allowedSources } = deps();
      const validated = validateTableRegistration(name, parsed.body, allowedSources);
      if (!validated.ok) return badRequest(validated.problems);

      const store = new TableStore(lake);
      const now = new Date().toISOString();
      const existing = await store.getRegistration(name);
      if (existing && !sameDestination(existing.value, validated.registration)) {
        const ledger = await store.getLedger(name, now);
        if (ledger.value.exports.some((e) => e.state === 'applied' || e.state === 'applying')) {
          return {
            status: 409,
            jsonBody: {
              error: `table ${name} has been synced into ${existing.value.target.database}/${existing.value.target.container}; its source, key schema and target cannot change. DELETE it first to start over`,
            },
          };
        }
      }
      const registration: TableRegistration = {
        ...validated.registration,
        createdAt: existing?.value.createdAt ?? now,
        updatedAt: now,
      };
      try {
        await store.putRegistration(registration, existing?.etag);
      } catch (error) {
        if (error instanceof ConcurrentUpdateError) return { status: 409, jsonBody: { error: error.message } };
        throw error;
      }
      context.log(`${existing ? 'updated' : 'registered'} table ${name}`);
      return { status: existing ? 200 : 201, jsonBody: registration };
    },
  );
}

/** `GET /api/tables/{name}`: the registration, its ledger (every export seen) and the sync instance. */
export function getTableHandler(deps: TablesDependencies) {
  return guarded(
    'reading table',
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const name = request.params.name;
      const invalid = invalidName(name);
      if (invalid) return invalid;
      const store = new TableStore(deps().lake);
      const registration = await store.getRegistration(name);
      if (!registration) return notRegistered(name);
      const ledger = await store.getLedger(name, new Date().toISOString());
      return {
        status: 200,
        jsonBody: { ...registration.value, ledger: ledger.value, sync: await syncView(df.getClient(context), name) },
      };
    },
  );
}

/** `GET /api/tables`: every registered table with its sync state. */
export function listTablesHandler(deps: TablesDependencies) {
  return guarded(
    'listing tables',
    async (_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
      const store = new TableStore(deps().lake);
      const now = new Date().toISOString();
      const tables = [];
      for (const name of await store.listNames()) {
        const registration = await store.getRegistration(name);
        if (!registration) continue;
        const { value: ledger } = await store.getLedger(name, now);
        tables.push({
          name,
          source: registration.value.source,
          target: registration.value.target,
          status: ledger.status,
          reachedTime: ledger.reachedTime ?? null,
          exports: ledger.exports.length,
          applied: ledger.exports.filter((e) => e.state === 'applied').length,
        });
      }
      return { status: 200, jsonBody: { tables } };
    },
  );
}

/** `DELETE /api/tables/{name}`: forgets the table (registration and ledger); the container is left as it is. */
export function deleteTableHandler(deps: TablesDependencies) {
  return guarded(
    'deleting table',
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const name = request.params.name;
      const invalid = invalidName(name);
      if (invalid) return invalid;
      const running = await runningStatus(df.getClient(context), syncInstanceId(name));
      if (running)
        return {
          status: 409,
          jsonBody: {
            error: `a sync of ${name} is ${running}; wait for it to finish or terminate ${syncInstanceId(name)} first`,
          },
        };
      const deleted = await new TableStore(deps().lake).delete(name);
      return deleted ? { status: 204 } : notRegistered(name);
    },
  );
}

/** `POST /api/tables/{name}/sync`: runs the table's sync now; 409 with its URLs when one is running. */
export function syncTableNowHandler(deps: TablesDependencies) {
  return guarded(
    'starting the sync of table',
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const name = request.params.name;
      const invalid = invalidName(name);
      if (invalid) return invalid;
      if (!(await new TableStore(deps().lake).getRegistration(name))) return notRegistered(name);
      const client = df.getClient(context);
      const result = await startSync(client, name);
      if (!result.started) {
        return {
          status: 409,
          jsonBody: {
            error: `a sync of ${name} is already ${result.runtimeStatus}`,
            ...client.createHttpManagementPayload(result.instanceId),
          },
        };
      }
      context.log(`started sync of ${name} as ${result.instanceId}`);
      return client.createCheckStatusResponse(request, result.instanceId);
    },
  );
}
