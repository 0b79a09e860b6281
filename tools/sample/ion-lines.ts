/**
 * DynamoDB JSON export lines → Amazon Ion export lines, as DynamoDB writes them for `ExportFormat: ION`
 * (docs/export-formats.md): one Ion text value per line, the line starting with the version marker `$ion_1_0`,
 * S → string, N → decimal, B → blob, BOOL → bool, NULL → null, L → list, M → struct, SS/NS/BS → lists annotated
 * `$dynamodb_SS` / `$dynamodb_NS` / `$dynamodb_BS`.
 *
 * How numbers, names and the rest are spelled (`Spelling`):
 * - `aws`: as AWS's documentation shows DynamoDB writing them: integers `103.`, trailing zeros as an exponent
 *   (`6d2` for 600, `2d3` for 2000), fractions `1.25`, bare field names where Ion allows them;
 * - `literal`: each `N` string's own spelling in Ion (`"5E-1"` → `5d-1`, `"0.50"` → `0.50`, `"-0"` → `-0.`), so a
 *   test can put any decimal spelling into an export;
 * - a random source: varied as a reader must accept them: numbers in any decimal form of the same value
 *   (`103.`, `6d2`, `5d-1`, `0.50`, `-0.`, `1.03D2`, `6000d-1`), field names bare, `'quoted'` or `"as strings"`,
 *   blobs with or without inner spaces, `null` or `null.null`, spaces around punctuation.
 */
import { AttributeValue, DynamoItem } from '../../src/mapping';

export type Random = () => number;
export type Spelling = 'aws' | 'literal' | Random;

/** sign, coefficient digits (no leading zeros; "0" for zero) and exponent of a DynamoDB number string. */
interface Parts {
  negative: boolean;
  digits: string;
  exponent: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parts(n: string): Parts {
  const match = NUMBER.exec(n);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`not a DynamoDB number: ${n}`);
  const fraction = match[3] ?? '';
  let digits = (match[2] + fraction).replace(/^0+/, '');
  let exponent = Number(match[4] ?? 0) - fraction.length;
  if (digits === '') {
    digits = '0';
    exponent = 0;
  }
  return { negative: match[1] === '-', digits, exponent };
}

/** `digits × 10^exponent` with a decimal point and no exponent: `125, -2` → `1.25`, `6, 2` → `600.`. */
function pointForm(digits: string, exponent: number): string {
  if (exponent >= 0) return `${digits}${'0'.repeat(exponent)}.`;
  const places = -exponent;
  if (places < digits.length)
    return `${digits.slice(0, digits.length - places)}.${digits.slice(digits.length - places)}`;
  return `0.${'0'.repeat(places - digits.length)}${digits}`;
}

/** AWS's spelling: trailing zeros of an integer as an exponent (`6d2`), `103.` for integers, `1.25` otherwise. */
function awsForm({ digits, exponent }: Parts): string {
  if (digits !== '0' && exponent >= 0) {
    const trimmed = digits.replace(/0+$/, '');
    const shift = digits.length - trimmed.length + exponent;
    return shift === 0 ? `${trimmed}.` : `${trimmed}d${shift}`;
  }
  return pointForm(digits, exponent);
}

/** The `N` string's own spelling as an Ion decimal: `E` becomes `d`, an integer gets its point. */
function literalForm(n: string): string {
  const match = NUMBER.exec(n);
  if (!match) throw new Error(`not a DynamoDB number: ${n}`);
  const sign = match[1] === '-' ? '-' : '';
  const integer = match[2].replace(/^0+(?=\d)/, '') || '0';
  const fraction = match[3];
  const exponent = match[4]?.replace(/^\+/, '');
  const mantissa = fraction === undefined ? integer : `${integer}.${fraction}`;
  if (exponent !== undefined) return `${sign}${mantissa}d${exponent}`;
  return fraction === undefined ? `${sign}${integer}.` : `${sign}${mantissa}`;
}

/** One Ion decimal literal of the value of DynamoDB number string `n`. */
export function ionDecimal(n: string, spelling: Spelling = 'aws'): string {
  if (spelling === 'literal') return literalForm(n);
  const p = parts(n);
  const sign = p.negative ? '-' : '';
  if (spelling === 'aws') return sign + awsForm(p);
  const random = spelling;
  const { digits, exponent } = p;
  const zero = digits === '0';
  switch (Math.floor(random() * 6)) {
    case 0:
      return sign + awsForm(p);
    case 1:
      return `${sign}${digits}d${exponent}`; // 5d-1, 103d0
    case 2:
      // One more zero in the coefficient: 0.50, 600.0, -0.0
      return (
        sign +
        (exponent >= 0 ? pointForm(`${digits}${'0'.repeat(exponent)}0`, -1) : pointForm(`${digits}0`, exponent - 1))
      );
    case 3:
      return sign + pointForm(digits, exponent); // 600., 0.5
    case 4: {
      if (zero) return `${sign}0D0`;
      // d.ddd × 10^k with an upper-case D: 1.03D2
      const k = digits.length - 1 + exponent;
      return `${sign}${digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.`}D${k}`;
    }
    default:
      // Trailing zeros kept in the coefficient: 6000d-1; zero as 0d-3
      return zero ? `${sign}0d-3` : `${sign}${digits}000d${exponent - 3}`;
  }
}

const KEYWORDS = new Set(['true', 'false', 'null', 'nan']);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** `$` and digits is a symbol id, not a name: such names must be quoted. */
const SYMBOL_ID = /^\$\d+$/;

/** Ion text's escape of one character inside quotes (`quote` is `'` or `"`). */
function escapeText(text: string, quote: '"' | "'"): string {
  let out = '';
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\t') out += '\\t';
    else if (c === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += c;
  }
  return `${quote}${out}${quote}`;
}

/** An Ion string literal. */
export function ionString(text: string): string {
  return escapeText(text, '"');
}

/** A field name: a bare symbol where Ion allows one, else quoted; varied with a random spelling. */
export function ionFieldName(name: string, spelling: Spelling = 'aws'): string {
  const bare = IDENTIFIER.test(name) && !KEYWORDS.has(name) && !SYMBOL_ID.test(name);
  const choice = typeof spelling === 'function' ? Math.floor(spelling() * 4) : 0;
  if (bare && choice < 2) return name;
  return choice === 3 ? escapeText(name, '"') : escapeText(name, "'");
}

function chance(spelling: Spelling, p: number): boolean {
  return typeof spelling === 'function' && spelling() < p;
}

function blob(base64: string, spelling: Spelling): string {
  return chance(spelling, 0.3) ? `{{ ${base64} }}` : `{{${base64}}}`;
}

function spaced(spelling: Spelling): string {
  return chance(spelling, 0.2) ? ' ' : '';
}

/** One DynamoDB attribute value as Ion text. */
export function ionValue(av: AttributeValue, spelling: Spelling = 'aws'): string {
  if ('S' in av) return ionString(av.S);
  if ('N' in av) return ionDecimal(av.N, spelling);
  if ('B' in av) return blob(av.B, spelling);
  if ('BOOL' in av) return av.BOOL ? 'true' : 'false';
  if ('NULL' in av) return chance(spelling, 0.3) ? 'null.null' : 'null';
  if ('M' in av) return ionStruct(av.M, spelling);
  if ('L' in av) return `[${av.L.map((v) => ionValue(v, spelling)).join(`,${spaced(spelling)}`)}]`;
  if ('SS' in av) return `$dynamodb_SS::[${av.SS.map(ionString).join(',')}]`;
  if ('NS' in av) return `$dynamodb_NS::[${av.NS.map((n) => ionDecimal(n, spelling)).join(',')}]`;
  if ('BS' in av) return `$dynamodb_BS::[${av.BS.map((b) => blob(b, spelling)).join(',')}]`;
  throw new Error(`not a DynamoDB attribute value: ${JSON.stringify(av)}`);
}

/** An item (or any name → attribute value map) as an Ion struct. */
export function ionStruct(item: DynamoItem, spelling: Spelling = 'aws'): string {
  const fields: string[] = [];
  for (const [name, value] of Object.entries(item)) {
    fields.push(`${ionFieldName(name, spelling)}:${spaced(spelling)}${ionValue(value, spelling)}`);
  }
  return `{${fields.join(`,${spaced(spelling)}`)}}`;
}

/** A full export's line: `$ion_1_0 {Item:{…}}`. */
export function ionItemLine(item: DynamoItem, spelling: Spelling = 'aws'): string {
  return `$ion_1_0 {Item:${ionStruct(item, spelling)}}`;
}

/**
 * An incremental export's change record, the members in the order real files have them (Metadata, Keys,
 * OldImage, NewImage). `WriteTimestampMicros` is written as the decimal an `N` value becomes.
 */
export function ionChangeLine(
  record: { writeTimestampMicros: number | string; keys: DynamoItem; oldImage?: DynamoItem; newImage?: DynamoItem },
  spelling: Spelling = 'aws',
): string {
  const members = [
    `Metadata:{WriteTimestampMicros:${ionDecimal(String(record.writeTimestampMicros), spelling)}}`,
    `Keys:${ionStruct(record.keys, spelling)}`,
  ];
  if (record.oldImage) members.push(`OldImage:${ionStruct(record.oldImage, spelling)}`);
  if (record.newImage) members.push(`NewImage:${ionStruct(record.newImage, spelling)}`);
  return `$ion_1_0 {${members.join(',')}}`;
}

/** A DynamoDB JSON export line (full or incremental) as the line an Ion export has for the same record. */
export function ionLineFromJson(line: string, spelling: Spelling = 'aws'): string {
  const record = JSON.parse(line) as {
    Item?: DynamoItem;
    Metadata?: { WriteTimestampMicros?: { N: string } | string };
    Keys?: DynamoItem;
    OldImage?: DynamoItem;
    NewImage?: DynamoItem;
  };
  if (record.Item) return ionItemLine(record.Item, spelling);
  const micros = record.Metadata?.WriteTimestampMicros;
  return ionChangeLine(
    {
      writeTimestampMicros: typeof micros === 'object' ? micros.N : (micros ?? '0'),
      keys: record.Keys ?? {},
      oldImage: record.OldImage,
      newImage: record.NewImage,
    },
    spelling,
  );
}
