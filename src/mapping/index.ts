/** DynamoDB export items → Cosmos DB documents, per the mapping contract (docs/mapping.md). */
export type {
  AttributeValue,
  DocumentKey,
  DynamoItem,
  KeySchema,
  KeyValue,
  MappedDocument,
  MappedValue,
  MappingOptions,
  NumberMode,
  PartitionKeyPart,
  PartitionKeyValue,
} from './types';
export { MappingError } from './errors';
export type { MappingErrorCode } from './errors';
export { canonicalDecimal, mapNumber } from './numbers';
export type { MappedNumber } from './numbers';
export { createValueContext, mapValue, MAX_NESTING } from './attribute-values';
export type { ValueContext } from './attribute-values';
export { formatPath } from './paths';
export type { PathSegment } from './paths';
export { canonicalKey, documentId, encodeIdPart, MAX_ID_BYTES } from './identity';
export { documentName, isSystemPropertyName, RENAME_PREFIX } from './reserved-names';
export { mapItem, mapKeys } from './map-item';
export {
  defaultPartitionKeyPaths,
  describePartitionKeyPaths,
  keyDerivedPaths,
  keyDocumentName,
  keyPath,
  MAX_PARTITION_KEY_LEVELS,
  parsePartitionKeyPath,
  pathOfProperty,
} from './partition-key';
export { commitPendingStats, mergeMappingStats, newMappingStats, newPendingStats } from './stats';
export type { MappingStats, PendingStats } from './stats';
