import { textProblem } from './text';

/** Cosmos DB's limit on database and container names (learn.microsoft.com/azure/cosmos-db/concepts-limits). */
export const MAX_COSMOS_NAME_LENGTH = 255;
const FORBIDDEN = /[/\\#?]/;

/**
 * Why `name` cannot name a Cosmos DB database or container, or undefined: the service's resource-name rules
 * (at most 255 characters, none of `/ \ ? #`, no trailing space), and, because the name is also a URL segment
 * of every request and a folder of the lake (`…/_migration/<database>/<container>/`), not `.` or `..`, no
 * control characters and no lone surrogates.
 */
export function cosmosNameProblem(name: string): string | undefined {
  if (name.length > MAX_COSMOS_NAME_LENGTH) return `must be at most ${MAX_COSMOS_NAME_LENGTH} characters`;
  if (FORBIDDEN.test(name) || name.endsWith(' ')) return 'must not contain / \\ # ? or end with a space';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  return textProblem(name);
}
