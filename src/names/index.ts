/**
 * Names are data, never paths: one validation for every name that becomes part of a blob path, an instance id
 * or an S3 key (bucket, export prefix, manifest keys, table, database, container). Each check returns why a
 * name cannot be used (phrased to follow the field's name) or undefined; keys written by others are
 * normalised before any comparison, so two spellings of one object are one key.
 */
export { bucketProblem } from './bucket';
export { cosmosNameProblem, MAX_COSMOS_NAME_LENGTH } from './cosmos';
export { isWithin, keyPrefixProblem, MAX_KEY_BYTES, normalizeKey, quoteKey, trimTrailingSlashes } from './keys';
export type { NormalizedKey } from './keys';
export { isAllowedSource } from './sources';
export { tableNameProblem } from './table';
export { loneSurrogateAt, quoteName, textProblem } from './text';
