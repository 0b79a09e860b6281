import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { runningStatus } from '../../src/durable/running-status';
import { isInstanceConflict } from '../../src/migration/instance-id';
import { TableStore } from '../../src/sync/table-store';
import { syncInstanceId } from '../../src/sync/types';
import { tableNameProblems } from '../../src/sync/validate-registration';
import { tableVerifyInput, verifyInstanceId } from '../../src/verify/table-input';
import { VerifyNames } from '../../src/verify/types';
import { guarded } from './answers';
import { badRequest } from './read-json';
import { TablesDependencies } from './tables';

/**
 * `POST /api/tables/{name}/verify`: compares every document the table's applied exports expect with the container
 * (src/verify/). 202 with the check-status payload; 409 while the table's sync or another verification of it runs
 * (the expected state would move under it), or when no export has been applied yet.
 */
export function verifyTableHandler(deps: TablesDependencies) {
  return guarded(
    'starting the verification of table',
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const name = request.params.name;
      const problems = tableNameProblems(name);
      if (problems) return badRequest(problems);
      const store = new TableStore(deps().lake);
      const registration = await store.getRegistration(name);
      if (!registration)
        return {
          status: 404,
          jsonBody: { error: `table ${name} is not registered; register it with PUT /api/tables/${name}` },
        };
      const client = df.getClient(context);
      const syncing = await runningStatus(client, syncInstanceId(name));
      if (syncing)
        return {
          status: 409,
          jsonBody: { error: `a sync of ${name} is ${syncing}; verify once it has finished` },
        };
      const { value: ledger } = await store.getLedger(name, new Date().toISOString());
      const input = tableVerifyInput(registration.value, ledger);
      if (!input)
        return {
          status: 409,
          jsonBody: { error: `no full export of ${name} has been applied yet: there is nothing to verify against` },
        };
      const instanceId = verifyInstanceId(name);
      const conflict = (status: string): HttpResponseInit => ({
        status: 409,
        jsonBody: {
          error: `a verification of ${name} is already ${status}`,
          ...client.createHttpManagementPayload(instanceId),
        },
      });
      const running = await runningStatus(client, instanceId);
      if (running) return conflict(running);
      try {
        await client.startNew(VerifyNames.verifyTable, { instanceId, input });
      } catch (error) {
        if (!isInstanceConflict(error)) throw error;
        return conflict((await runningStatus(client, instanceId)) ?? 'Running');
      }
      context.log(`started verification of ${name} as ${instanceId}`);
      return client.createCheckStatusResponse(request, instanceId);
    },
  );
}
