import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { Names } from '../../src/migration/contracts';
import { isInstanceConflict, migrationInstanceId } from '../../src/migration/instance-id';
import { childrenRunningAnswer, startDecision } from '../../src/migration/restart';
import { MigrationRequest } from '../../src/migration/request';
import { validateMigrationRequest } from '../../src/migration/validate-request';
import { runningStatus } from '../../src/durable/running-status';
import { guarded } from './answers';
import { listActiveChildren } from './migration-children';
import { badRequest, readJson } from './read-json';

function alreadyRunning(
  client: df.DurableClient,
  request: MigrationRequest,
  instanceId: string,
  runtimeStatus: string,
): HttpResponseInit {
  return {
    status: 409,
    jsonBody: {
      error: `this export is already being migrated into ${request.target.database}/${request.target.container} (status ${runtimeStatus})`,
      ...client.createHttpManagementPayload(instanceId),
    },
  };
}

/**
 * `POST /api/migrations`: validates the body (400 naming every problem), refuses a second run of the same
 * export into the same container while one is active (409 with its URLs) or while child orchestrations of an
 * earlier run still run (409 naming them and how to stop them: a terminated run's children run on, restart.ts),
 * else starts `migrateExport`
 * and answers 202 with the standard check-status payload. The export has one spelling (a prefix with empty,
 * `.` or `..` segments is a 400), so one instance id; two identical starts that race past the check meet at
 * Durable, which refuses the second, and that one answers 409 too.
 */
export function startMigrationHandler(allowedSources: () => string[]) {
  return guarded(
    'starting a migration',
    async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const parsed = await readJson(request);
      if (!parsed.ok) return badRequest([{ field: '(body)', message: parsed.message }]);
      const validated = validateMigrationRequest(parsed.body, allowedSources());
      if (!validated.ok) return badRequest(validated.problems);

      const client = df.getClient(context);
      const instanceId = migrationInstanceId(validated.request);
      const running = await runningStatus(client, instanceId);
      if (running) return alreadyRunning(client, validated.request, instanceId, running);
      const { children, more } = await listActiveChildren(context, instanceId);
      const decision = startDecision(instanceId, running, children);
      if (!decision.start && decision.reason === 'children-running') {
        return { status: 409, jsonBody: childrenRunningAnswer(instanceId, decision.children, more) };
      }
      try {
        await client.startNew(Names.migrateExport, { instanceId, input: validated.request });
      } catch (error) {
        if (!isInstanceConflict(error)) throw error;
        const status = (await runningStatus(client, instanceId)) ?? 'Running';
        return alreadyRunning(client, validated.request, instanceId, status);
      }
      context.log(`started ${Names.migrateExport} ${instanceId}`);
      return client.createCheckStatusResponse(request, instanceId);
    },
  );
}
