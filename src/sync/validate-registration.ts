import {
  checkAllowedSource,
  checkBucket,
  checkCommonParts,
  Checker,
  isObject,
  Problem,
} from '../migration/validate-request';
import {
  bucketProblem,
  cosmosNameProblem,
  keyPrefixProblem,
  quoteName,
  tableNameProblem,
  trimTrailingSlashes,
} from '../names';
import { TableRegistration } from './types';

/** Room for what DynamoDB appends, `/AWSDynamoDB/<ExportId>/manifest-summary.json`, within S3's 1,024-byte keys. */
const MAX_EXPORTS_PREFIX_BYTES = 1024 - '/AWSDynamoDB/'.length - 64 - '/manifest-summary.json'.length;

/**
 * The name problem of `table` as a `{name}` route parameter (it arrives URL-decoded: `..%2Ft` is `../t`), as
 * the one problem of a 400 answer; undefined for a DynamoDB table name. Every table route checks it first, so a
 * name never reaches a blob path or an instance id unchecked.
 */
export function tableNameProblems(table: string): Problem[] | undefined {
  const problem = tableNameProblem(table);
  return problem ? [{ field: '(name)', message: problem }] : undefined;
}

/**
 * Why a stored registration's names cannot become paths (`has target.database "..", which must not be "." or
 * ".."`), or undefined: a registration written before these rules were enforced is checked again when used.
 */
export function registrationNamesProblem(registration: TableRegistration): string | undefined {
  const { name, source, target } = registration;
  const checks: [string, string, string | undefined][] = [
    ['name', name, tableNameProblem(name)],
    ['source.bucket', source.bucket, bucketProblem(source.bucket)],
    [
      'source.exportsPrefix',
      source.exportsPrefix,
      source.exportsPrefix === '' ? undefined : keyPrefixProblem(source.exportsPrefix, MAX_EXPORTS_PREFIX_BYTES),
    ],
    ['target.database', target.database, cosmosNameProblem(target.database)],
    ['target.container', target.container, cosmosNameProblem(target.container)],
  ];
  const found = checks.find(([, , problem]) => problem !== undefined);
  return found ? `has ${found[0]} ${quoteName(found[1])}, which ${found[2]}` : undefined;
}

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
  for (const { field, message } of tableNameProblems(name) ?? []) check.problem(field, message);
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
        exportsPrefix = trimTrailingSlashes(value);
        // "" is allowed (exports written without an S3Prefix); anything else is a key prefix with one spelling.
        const problem = exportsPrefix === '' ? undefined : keyPrefixProblem(exportsPrefix, MAX_EXPORTS_PREFIX_BYTES);
        if (problem) exportsPrefix = check.problem('source.exportsPrefix', problem);
        else if (/(^|\/)AWSDynamoDB(\/|$)/.test(exportsPrefix)) {
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
