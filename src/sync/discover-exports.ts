import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { MigrationError } from '../errors';
import { parseExportSummary } from '../export/parse-summary';
import { readTextIfExists, s3Failure, s3Url } from '../export/s3-objects';
import { keyPrefixProblem, quoteKey } from '../names';
import { DiscoveredExport } from './types';

export interface Discovery {
  exports: DiscoveredExport[];
  /** Export folders whose summary exists but cannot be used, with the reason. */
  unreadable: { exportPrefix: string; reason: string }[];
}

/** DynamoDB's export ids are `<14 digits>-<8 hex>`; anything of letters, digits, `_ . -` is accepted. */
const EXPORT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** `arn:…:table/Orders/export/<id>` → `arn:…:table/Orders`. */
function tableArnOf(exportArn: string): string {
  const at = exportArn.lastIndexOf('/export/');
  return at < 0 ? exportArn : exportArn.slice(0, at);
}

function exportsRoot(exportsPrefix: string): string {
  const clean = exportsPrefix.replace(/^\/+|\/+$/g, '');
  return clean ? `${clean}/AWSDynamoDB/` : 'AWSDynamoDB/';
}

/** The export folders under `<exportsPrefix>/AWSDynamoDB/`; the shared incremental `data/` folder is not one. */
async function listExportFolders(s3: S3Client, bucket: string, root: string): Promise<string[]> {
  const folders: string[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: root, Delimiter: '/', ContinuationToken: token }),
      );
    } catch (error) {
      // A bucket that does not exist or access denied is permanent, anything else TRANSIENT: both name the prefix.
      throw s3Failure(error, { bucket, key: root });
    }
    for (const prefix of page.CommonPrefixes ?? []) {
      const folder = (prefix.Prefix ?? '').replace(/\/$/, '');
      if (folder && folder !== `${root}data`) folders.push(folder);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return folders;
}

/**
 * Finds the completed exports of a table: folders that hold a `manifest-summary.json` (DynamoDB writes it
 * last). Folders already in the ledger are not read again.
 */
export async function discoverExports(
  s3: S3Client,
  bucket: string,
  exportsPrefix: string,
  known: ReadonlySet<string>,
): Promise<Discovery> {
  const discovery: Discovery = { exports: [], unreadable: [] };
  for (const folder of await listExportFolders(s3, bucket, exportsRoot(exportsPrefix))) {
    if (known.has(folder)) continue;
    // Anyone who may write to the bucket can make a folder named `..` or `` (`AWSDynamoDB//`): such a folder
    // would be an export prefix that climbs out of its own place in the lake, so it is listed, never applied.
    const problem = keyPrefixProblem(folder);
    if (problem) {
      discovery.unreadable.push({
        exportPrefix: folder,
        reason: `[MANIFEST_INVALID] export folder ${quoteKey(folder)} cannot be used: its name ${problem}`,
      });
      continue;
    }
    const summaryKey = `${folder}/manifest-summary.json`;
    const text = await readTextIfExists(s3, { bucket, key: summaryKey });
    if (text === undefined) continue; // still being written
    try {
      const summary = parseExportSummary(text, s3Url({ bucket, key: summaryKey }));
      const incremental = summary.exportType === 'INCREMENTAL_EXPORT';
      if (incremental ? !summary.exportFromTime || !summary.exportToTime : !summary.exportTime) {
        throw new MigrationError(
          'MANIFEST_INVALID',
          `${s3Url({ bucket, key: summaryKey })} has no ${incremental ? 'exportFromTime/exportToTime' : 'exportTime'}, so it cannot be ordered`,
        );
      }
      // The id names the sync's sub-orchestration (`sync-<table>-<id>-<attempt>`) and ledger entry: a plain name only.
      if (!EXPORT_ID.test(summary.exportId) || /^\.+$/.test(summary.exportId)) {
        throw new MigrationError(
          'MANIFEST_INVALID',
          `${s3Url({ bucket, key: summaryKey })}: the export id ${quoteKey(summary.exportId)} at the end of exportArn is not one DynamoDB writes`,
        );
      }
      discovery.exports.push({
        exportId: summary.exportId,
        exportPrefix: folder,
        exportType: summary.exportType,
        tableArn: tableArnOf(summary.exportArn),
        exportTime: summary.exportTime,
        fromTime: summary.exportFromTime,
        toTime: summary.exportToTime,
        itemCount: summary.itemCount,
      });
    } catch (error) {
      if (!(error instanceof MigrationError)) throw error;
      discovery.unreadable.push({ exportPrefix: folder, reason: error.message });
    }
  }
  return discovery;
}
