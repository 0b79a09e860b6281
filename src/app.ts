import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { copyFileActivity } from '../activities/copy-file';
import { fromEnvironment } from '../activities/dependencies';
import { loadFileActivity } from '../activities/load-file';
import { prepareTargetActivity } from '../activities/prepare-target';
import { readManifestActivity } from '../activities/read-manifest';
import { validateMigrationActivity } from '../activities/validate-migration';
import { writeReportActivity } from '../activities/write-report';
import { migrateExport } from '../orchestrators/migrate-export';
import { migrateFileBatch } from '../orchestrators/migrate-file-batch';
import { syncTable } from '../orchestrators/sync-table';
import { planSyncStepActivity } from '../activities/plan-sync-step';
import { recordSyncOutcomeActivity } from '../activities/record-sync-outcome';
import { deleteTableHandler, getTableHandler, listTablesHandler, putTableHandler, syncTableNowHandler, TablesDependencies } from './http/tables';
import { syncScheduleFrom, syncTimerHandler } from './sync/sync-timer';
import { getMigrationHandler } from './http/get-migration';
import { healthHandler } from './http/health';
import { startMigrationHandler } from './http/start-migration';
import { Names } from './migration/contracts';

/** The one place where triggers, orchestrators and activities are wired to their code. */
const deps = fromEnvironment;

df.app.orchestration(Names.migrateExport, migrateExport);
df.app.orchestration(Names.migrateFileBatch, migrateFileBatch);
df.app.orchestration(Names.syncTable, syncTable);

df.app.activity(Names.readManifest, { handler: readManifestActivity(deps) });
df.app.activity(Names.prepareTarget, { handler: prepareTargetActivity(deps) });
df.app.activity(Names.copyFile, { handler: copyFileActivity(deps) });
df.app.activity(Names.loadFile, { handler: loadFileActivity(deps) });
df.app.activity(Names.validateMigration, { handler: validateMigrationActivity(deps) });
df.app.activity(Names.writeReport, { handler: writeReportActivity(deps) });
df.app.activity(Names.planSyncStep, { handler: planSyncStepActivity(deps) });
df.app.activity(Names.recordSyncOutcome, { handler: recordSyncOutcomeActivity(deps) });

app.http('startMigration', {
  route: 'migrations',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: startMigrationHandler(() => deps().settings.allowedSources),
});

app.http('getMigration', {
  route: 'migrations/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getMigrationHandler,
});

app.http('health', {
  route: 'health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: healthHandler(deps),
});

const tables: TablesDependencies = () => ({ lake: deps().clients.lake, allowedSources: deps().settings.allowedSources });
const durableClient = [df.input.durableClient()];

app.http('listTables', { route: 'tables', methods: ['GET'], authLevel: 'function', extraInputs: durableClient, handler: listTablesHandler(tables) });
app.http('getTable', { route: 'tables/{name}', methods: ['GET'], authLevel: 'function', extraInputs: durableClient, handler: getTableHandler(tables) });
app.http('putTable', { route: 'tables/{name}', methods: ['PUT'], authLevel: 'function', extraInputs: durableClient, handler: putTableHandler(tables) });
app.http('deleteTable', { route: 'tables/{name}', methods: ['DELETE'], authLevel: 'function', extraInputs: durableClient, handler: deleteTableHandler(tables) });
app.http('syncTableNow', { route: 'tables/{name}/sync', methods: ['POST'], authLevel: 'function', extraInputs: durableClient, handler: syncTableNowHandler(tables) });

app.timer('syncTimer', {
  schedule: syncScheduleFrom(process.env),
  extraInputs: durableClient,
  handler: syncTimerHandler(() => deps().clients.lake),
});
