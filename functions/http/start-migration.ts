import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { Names } from '../../src/migration/contracts';
import { migrationInstanceId } from '../../src/migration/instance-id';
import { validateMigrationRequest } from '../../src/migration/validate-request';
import { runningStatus } from '../../src/durable/running-status';
import { badRequest, readJson } from './read-json';

/**
 * `POST /api/migrations`: validates the body (400 naming every problem), refuses a second run of the same
 * export into the same container while one is active (409 with its URLs), else starts `migrateExport`
 * and answers 202 with the standard check-status payload.
 */
export function startMigrationHandler(allowedSources: () => string[]) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const parsed = await readJson(request);
    if (!parsed.ok) return badRequest([{ field: '(body)', message: parsed.message }]);
    const validated = validateMigrationRequest(parsed.body, allowedSources());
    if (!validated.ok) return badRequest(validated.problems);

    const client = df.getClient(context);
    const instanceId = migrationInstanceId(validated.request);
    const running = await runningStatus(client, instanceId);
    if (running) {
      return {
        status: 409,
        jsonBody: {
          error: `this export is already being migrated into ${validated.request.target.database}/${validated.request.target.container} (status ${running})`,
          ...client.createHttpManagementPayload(instanceId),
        },
      };
    }
    await client.startNew(Names.migrateExport, { instanceId, input: validated.request });
    context.log(`started ${Names.migrateExport} ${instanceId}`);
    return client.createCheckStatusResponse(request, instanceId);
  };
}
