/** DynamoDB's rule for table names; such a name is also a safe instance id (`sync-<name>`) and blob folder. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Why `name` is not a DynamoDB table name, or undefined. `...` is a valid name and, being neither `.` nor
 * `..`, an ordinary path segment.
 */
export function tableNameProblem(name: string): string | undefined {
  return TABLE_NAME.test(name) ? undefined : 'must be a DynamoDB table name: 3 to 255 of A-Z a-z 0-9 _ . -';
}
