/** A step into a value: an attribute or map member name, or a list/set position. */
export type PathSegment = string | number;

/** Names that would make a dotted path ambiguous are written as `["a.b"]`. */
function needsQuotes(name: string): boolean {
  if (name === '') return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x2e || c === 0x5b || c === 0x5d || c === 0x22) return true;
  }
  return false;
}

/**
 * Renders a path for messages and reports: `meta.flags[2]`. With `normalised`, positions become `[]`
 * (`items[].price`) so that counts of every element of a list add up under one key. `length`: only the first
 * that many segments (a path kept as an array indexed by depth, see attribute-values.ts).
 */
export function formatPath(segments: readonly PathSegment[], normalised: boolean, length = segments.length): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const segment = segments[i];
    if (typeof segment === 'number') out += normalised ? '[]' : `[${segment}]`;
    else if (needsQuotes(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += i === 0 ? segment : `.${segment}`;
  }
  return out;
}
