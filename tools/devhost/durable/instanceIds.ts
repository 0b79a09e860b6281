import { randomUUID } from 'crypto';

export const MAX_INSTANCE_ID_LENGTH = 256;

/** The extension's StartNewAsync checks; returns the error text, or undefined when the id is acceptable. */
export function instanceIdError(id: string): string | undefined {
  if (id.length === 0) {
    return 'Orchestration instance ids must not be empty.';
  }
  if (id.startsWith('@')) {
    return 'Orchestration instance ids must not start with @.';
  }
  // eslint-disable-next-line no-control-regex
  if (/[/\\?#\u0000-\u001f\u007f-\u009f]/.test(id)) {
    return 'Orchestration instance ids must not contain /, \\, #, ?, or control characters.';
  }
  if (id.length > MAX_INSTANCE_ID_LENGTH) {
    return `Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`;
  }
  return undefined;
}

/** Default ids are GUIDs without dashes ("N" format), as the extension generates them. */
export function newInstanceId(): string {
  return randomUUID().replace(/-/g, '');
}

export function newExecutionId(): string {
  return randomUUID().replace(/-/g, '');
}

/**
 * Deterministic id of a sub-orchestration started without an explicit id: derived from the parent, the
 * parent's execution generation (ContinueAsNew restarts sequence numbers) and the task's sequence id, so a
 * replay or a restart after a crash always names the same child.
 */
export function childInstanceId(parentId: string, generation: number, sequenceId: number): string {
  return generation === 0 ? `${parentId}:${sequenceId}` : `${parentId}:${generation}:${sequenceId}`;
}
