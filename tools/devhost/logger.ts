/** Where the host writes its own lines; every call is expected to produce exactly one line. */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  debug?(line: string): void;
}

/** stdout/stderr with an ISO timestamp, like the Core Tools console. */
export const consoleLogger: Logger = {
  info: (line) => process.stdout.write(`[${new Date().toISOString()}] ${line}\n`),
  warn: (line) => process.stderr.write(`[${new Date().toISOString()}] WARN ${line}\n`),
  error: (line) => process.stderr.write(`[${new Date().toISOString()}] ERROR ${line}\n`),
};

/** Collapses whitespace runs so that a message can never break the one-line-per-entry contract. */
export function oneLine(text: string, maxLength = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength)}…` : flat;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}
