/**
 * Checks every name shares, whatever it names: no control characters and no lone UTF-16 surrogates. A lone
 * surrogate cannot be encoded as UTF-8, so no S3 key, blob name or URL can hold it (`encodeURI` throws
 * `URI malformed`), and a control character in a path is never what a person meant.
 */

/** Index of the first lone UTF-16 surrogate in `text`, or -1. */
export function loneSurrogateAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/** Index of the first control character (C0, DEL or C1), or -1. */
export function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return i;
  }
  return -1;
}

function codePoint(text: string, at: number): string {
  return `U+${text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` cannot be part of a name (phrased to follow the field's name), or undefined. */
export function textProblem(text: string): string | undefined {
  const control = controlCharacterAt(text);
  if (control >= 0) return `must not contain control characters (${codePoint(text, control)} at position ${control})`;
  const surrogate = loneSurrogateAt(text);
  if (surrogate >= 0) {
    return `must not contain a lone UTF-16 surrogate (${codePoint(text, surrogate)} at position ${surrogate}): it has no UTF-8 form`;
  }
  return undefined;
}

const QUOTED_LIMIT = 80;

/**
 * A name quoted for a message: JSON-escaped, so control characters and lone surrogates show as `\u…`, and cut
 * short, so a hostile multi-megabyte name cannot bloat an answer, a ledger or a log line.
 */
export function quoteName(text: string): string {
  if (text.length <= QUOTED_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTED_LIMIT))}… (${text.length} characters)`;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
