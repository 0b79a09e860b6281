import { reportPath, reportRunFolder } from '../src/lake/paths';
import { MigrationReport, ReportInput } from '../src/migration/contracts';
import { migrationFolderOf } from '../src/migration/request-views';
import { DependencySource } from './dependencies';

export function writeReportActivity(deps: DependencySource) {
  return async (input: ReportInput): Promise<MigrationReport> => {
    const { clients, settings } = deps();
    const folder = migrationFolderOf(input.request);
    const report: MigrationReport = {
      ...input.report,
      lake: {
        container: settings.lakeContainer,
        folder,
        report: reportPath(folder),
        // This run's: a run started again writes its own (paths.ts RunFolder).
        deadLetters: `${reportRunFolder({ ...input.report, lake: { folder } })}/deadletter/`,
      },
    };
    const body = JSON.stringify(report, null, 2);
    await clients.lake.getBlockBlobClient(reportPath(folder)).upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
    return report;
  };
}
