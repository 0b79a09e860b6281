import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { createActivities } from '../activities';
import { migrateExport } from '../orchestrators/migrate-export';
import { migrateLane } from '../orchestrators/migrate-lane';
import { syncTable } from '../orchestrators/sync-table';
import { verifyFanOut } from '../orchestrators/verify-fan-out';
import { verifyTable } from '../orchestrators/verify-table';
import { Names } from '../src/migration/contracts';
import { VerifyNames } from '../src/verify/types';
import { fromEnvironment } from './dependencies';
import { dashboardAssetHandler, dashboardPageHandler } from './http/dashboard';
import { getMigrationHandler } from './http/get-migration';
import { cutoverHandler } from './http/cutover';
import { healthHandler } from './http/health';
import { listMigrationsHandler } from './http/list-migrations';
import { migrationFilesHandler } from './http/migration-files';
import { startMigrationHandler } from './http/start-migration';
import { terminateMigrationHandler } from './http/terminate-migration';
import {
  deleteTableHandler,
  getTableHandler,
  listTablesHandler,
  putTableHandler,
  syncTableNowHandler,
  TablesDependencies,
} from './http/tables';
import { verifyTableHandler } from './http/verify-table';
import { syncScheduleFrom, syncTimerHandler } from './sync-timer';

/** The composition root: every trigger, orchestrator and activity is registered here, with one dependency source. */
const deps = fromEnvironment;

df.app.orchestration(Names.migrateExport, migrateExport);
df.app.orchestration(Names.migrateLane, migrateLane);
df.app.orchestration(Names.syncTable, syncTable);
df.app.orchestration(VerifyNames.verifyTable, verifyTable);
df.app.orchestration(VerifyNames.verifyFanOut, verifyFanOut);

const durableClient = [df.input.durableClient()];

/** Activities that start or read orchestrations (a migration's lanes) get the durable client too. */
const activitiesWithClient = new Set<string>([Names.startLanes, Names.readLanes, Names.laneEnded]);
for (const [name, handler] of Object.entries(createActivities(deps))) {
  df.app.activity(name, { handler, ...(activitiesWithClient.has(name) ? { extraInputs: durableClient } : {}) });
}

app.http('startMigration', {
  route: 'migrations',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: startMigrationHandler(() => deps().settings.allowedSources),
});

app.http('getMigration', {
  route: 'migrations/{id}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: getMigrationHandler,
});

app.http('listMigrations', {
  route: 'migrations',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: listMigrationsHandler,
});

app.http('getMigrationFiles', {
  route: 'migrations/{id}/files',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: migrationFilesHandler(() => ({ lake: deps().clients.lake, lakeContainer: deps().settings.lakeContainer })),
});

app.http('terminateMigration', {
  route: 'migrations/{id}/terminate',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: durableClient,
  handler: terminateMigrationHandler,
});

// The operator page; its assets are the app's public code and Chart.js (dashboard.ts says why they need no key).
app.http('dashboard', { route: 'dashboard', methods: ['GET'], authLevel: 'function', handler: dashboardPageHandler });
app.http('dashboardAsset', {
  route: 'dashboard/assets/{name}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: dashboardAssetHandler,
});

app.http('health', { route: 'health', methods: ['GET'], authLevel: 'anonymous', handler: healthHandler(deps) });

const tables: TablesDependencies = () => ({
  lake: deps().clients.lake,
  allowedSources: deps().settings.allowedSources,
});
const tableRoute = (route: string, method: 'GET' | 'PUT' | 'DELETE' | 'POST') => ({
  route,
  methods: [method],
  authLevel: 'function' as const,
  extraInputs: durableClient,
});

app.http('listTables', { ...tableRoute('tables', 'GET'), handler: listTablesHandler(tables) });
app.http('getTable', { ...tableRoute('tables/{name}', 'GET'), handler: getTableHandler(tables) });
app.http('putTable', { ...tableRoute('tables/{name}', 'PUT'), handler: putTableHandler(tables) });
app.http('deleteTable', { ...tableRoute('tables/{name}', 'DELETE'), handler: deleteTableHandler(tables) });
app.http('syncTableNow', { ...tableRoute('tables/{name}/sync', 'POST'), handler: syncTableNowHandler(tables) });
app.http('tableCutover', { ...tableRoute('tables/{name}/cutover', 'GET'), handler: cutoverHandler(tables) });
app.http('verifyTableNow', { ...tableRoute('tables/{name}/verify', 'POST'), handler: verifyTableHandler(tables) });

app.timer('syncTimer', {
  schedule: syncScheduleFrom(process.env),
  extraInputs: durableClient,
  handler: syncTimerHandler(() => deps().clients.lake),
});
