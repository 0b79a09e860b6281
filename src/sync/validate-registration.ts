import {
  checkAllowedSource,
  checkBucket,
  checkCommonParts,
  Checker,
  isObject,
  Problem,
} from '../migration/validate-request';
import { TableRegistration } from './types';

/** DynamoDB's own rule for table names; they also make safe instance ids and blob paths. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

export type ValidatedRegistration =
  { ok: true; registration: Omit<TableRegistration, 'createdAt' | 'updatedAt'> } | { ok: false; problems: Problem[] };

/**
 * Checks a `PUT /api/tables/{name}` body: the same `keySchema`, `target` and `options` as a migration, a
 * `source.exportsPrefix` (the S3 prefix the table's exports are written under, may be empty) instead of
 * one export's folder, and `options.allowGaps`.
 */
export function validateTableRegistration(
  name: string,
  body: unknown,
  allowedSources: string[] = [],
): ValidatedRegistration {
  const check = new Checker();
  if (!TABLE_NAME.test(name)) check.problem('(name)', 'must be a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -');
  if (!isObject(body))
    return { ok: false, problems: [...check.problems, { field: '(body)', message: 'must be a JSON object' }] };
  const { source, options, parts } = checkCommonParts(
    check,
    body,
    ['bucket', 'exportsPrefix'],
    (raw) => {
      const bucket = checkBucket(check, raw);
      const value = raw?.exportsPrefix;
      let exportsPrefix: string | undefined = '';
      if (value !== undefined && typeof value !== 'string')
        exportsPrefix = check.problem(
          'source.exportsPrefix',
          'must be a string (the S3Prefix of the exports; "" for none)',
        );
      else if (typeof value === 'string') {
        exportsPrefix = value.replace(/\/+$/, '');
        if (exportsPrefix.startsWith('/'))
          check.problem('source.exportsPrefix', 'is a key prefix and must not start with "/"');
        if (/(^|\/)AWSDynamoDB(\/|$)/.test(exportsPrefix)) {
          check.problem(
            'source.exportsPrefix',
            'is the prefix the exports were written with, without "/AWSDynamoDB/…"',
          );
        }
      }
      return { bucket, exportsPrefix };
    },
    ['allowGaps'],
  );
  const allowGaps = options?.allowGaps ?? false;
  if (typeof allowGaps !== 'boolean') check.problem('options.allowGaps', 'must be true or false');
  checkAllowedSource(check, source.bucket, source.exportsPrefix, allowedSources);
  if (check.problems.length > 0) return { ok: false, problems: check.problems };
  return {
    ok: true,
    registration: {
      name,
      source: { bucket: source.bucket as string, exportsPrefix: source.exportsPrefix as string },
      ...parts,
      options: { ...parts.options, allowGaps: allowGaps as boolean },
    },
  };
}
