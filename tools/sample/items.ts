import { AttributeValue, DynamoItem } from '../../src/mapping';
import { pick, seededRandom } from './random';

const CITIES = ['Lisbon', 'Oslo', 'Seattle', 'Osaka', 'Nairobi', 'Zürich', 'São Paulo', 'Kraków'];
const SKUS = ['BOOK', 'LAMP', 'DESK', 'CHAIR', 'PEN', 'MUG', 'CABLE', 'PLANT'];
const TAGS = ['gift', 'express', 'fragile', 'b2b', 'promo', 'return', 'bulk', 'vip'];

function bytesBase64(random: () => number, length: number): string {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes.toString('base64');
}

function money(random: () => number): string {
  return (Math.floor(random() * 10_000_000) / 100).toFixed(2).replace(/\.?0+$/, '') || '0';
}

/**
 * The item at position `n` of a sample table: an order of roughly 1 KB with nested maps and lists, sets,
 * numbers of every kind (small, decimal, beyond double precision), binary and nulls. Deterministic in
 * (seed, n), so a test can rebuild any item without keeping the export in memory.
 */
export function sampleItem(seed: number, n: number): DynamoItem {
  const random = seededRandom(seed * 1_000_003 + n);
  const lineCount = 1 + Math.floor(random() * 4);
  const lines: AttributeValue[] = [];
  for (let i = 0; i < lineCount; i++) {
    lines.push({
      M: {
        sku: { S: `${pick(random, SKUS)}-${Math.floor(random() * 1000)}` },
        qty: { N: String(1 + Math.floor(random() * 9)) },
        price: { N: money(random) },
      },
    });
  }
  const tags = [...new Set([pick(random, TAGS), pick(random, TAGS), pick(random, TAGS)])];
  const item: DynamoItem = {
    pk: { S: `CUST#${Math.floor(n / 4)}` },
    sk: { N: String(n % 4 === 0 ? n : n * 10 + (n % 7)) },
    customer: { S: `Customer ${n} of ${pick(random, CITIES)}` },
    email: { S: `user${n}@example.com` },
    createdAt: { S: new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 3e10)).toISOString() },
    total: { N: money(random) },
    ratio: { N: (random() / 3).toPrecision(12) },
    ledgerBalance: { N: `${Math.floor(random() * 9 + 1)}${String(n).padStart(21, '0')}.${Math.floor(random() * 1e6)}` },
    paid: { BOOL: random() > 0.3 },
    coupon: { NULL: true },
    address: {
      M: {
        street: { S: `${Math.floor(random() * 300)} ${pick(random, ['Main', 'Harbour', 'Station'])} St` },
        city: { S: pick(random, CITIES) },
        geo: { L: [{ N: (random() * 180 - 90).toFixed(6) }, { N: (random() * 360 - 180).toFixed(6) }] },
      },
    },
    lines: { L: lines },
    tags: { SS: tags },
    scores: { NS: [String(Math.floor(random() * 100)), `${Math.floor(random() * 100)}.5`] },
    thumbprints: { BS: [bytesBase64(random, 8), bytesBase64(random, 12)] },
    notes: { S: 'x'.repeat(200 + Math.floor(random() * 300)) },
    signature: { B: bytesBase64(random, 48) },
  };
  return item;
}

/**
 * Items that exercise every rule of the mapping contract (mapping.md): reserved names, escaped key
 * characters, the 1023-byte id rule, numbers that must stay strings, -0, empty values.
 */
export function edgeCaseItems(): DynamoItem[] {
  return [
    {
      pk: { S: 'EDGE#reserved' },
      sk: { N: '1' },
      id: { S: 'not-the-id' },
      _ts: { N: '5' },
      _etag: { S: 'e' },
      _ddb_id: { S: 'taken' },
    },
    { pk: { S: 'EDGE#id-equal' }, sk: { N: '2' }, id: { S: 'EDGE%23id-equal|2' } },
    { pk: { S: 'a/b\\c?d#e|f%g' }, sk: { N: '3' }, note: { S: 'escaped key characters' } },
    { pk: { S: 'L'.repeat(1100) }, sk: { N: '4' }, note: { S: 'id over 1023 bytes becomes a hash' } },
    { pk: { S: 'EDGE#unicode-ключ-🔑' }, sk: { N: '5' }, text: { S: 'naïve café 🍰' } },
    {
      pk: { S: 'EDGE#numbers' },
      sk: { N: '-0.50' },
      big: { N: '12345678901234567890123456789012345678' },
      pi: { N: '3.14159265358979323846' },
      tiny: { N: '1E-130' },
      huge: { N: '9.9999999999999999999999999999999999999E+125' },
      hundred: { N: '1E+2' },
      negZero: { N: '-0' },
      safe: { N: '9007199254740991' },
      unsafe: { N: '9007199254740993' },
      nested: { M: { deep: { L: [{ N: '0.1' }, { N: '123456789012345678901' }] } } },
    },
    {
      pk: { S: 'EDGE#empties' },
      sk: { N: '7' },
      empty: { S: '' },
      emptyBin: { B: '' },
      map: { M: {} },
      list: { L: [] },
    },
    { pk: { S: 'EDGE#binary-key' }, sk: { N: '8' }, nested: { M: { id: { S: 'nested id kept' }, _ts: { N: '1' } } } },
  ];
}

/**
 * Items holding every DynamoDB type at the top level, nested in maps and lists, and in sets, with the values a
 * reader of either export format could get wrong: strings with quotes, backslashes, control characters and
 * characters outside the BMP, attribute names that are not identifiers or are Ion keywords, numbers written
 * in several spellings of one value, empty strings, binaries, maps and lists, and deep nesting.
 */
export function typeCaseItems(): DynamoItem[] {
  const everyType = (depth: number): DynamoItem => ({
    s: { S: `level ${depth}` },
    n: { N: `${depth}.50` },
    b: { B: Buffer.from([depth, 0xff, 0x00]).toString('base64') },
    yes: { BOOL: true },
    no: { BOOL: false },
    nothing: { NULL: true },
    ss: { SS: ['a', `b${depth}`] },
    ns: { NS: ['1', `-${depth}.25`] },
    bs: { BS: ['AAE=', '/w=='] },
    emptyMap: { M: {} },
    emptyList: { L: [] },
  });
  let deep: AttributeValue = { S: 'bottom' };
  for (let level = 0; level < 31; level++) deep = level % 2 ? { L: [deep] } : { M: { down: deep } };
  return [
    {
      pk: { S: 'TYPES#every' },
      sk: { N: '100' },
      ...everyType(0),
      map: { M: { ...everyType(1), inner: { M: everyType(2) } } },
      list: {
        L: [
          { S: 'x' },
          { N: '-7' },
          { B: 'AA==' },
          { BOOL: true },
          { NULL: true },
          { M: everyType(3) },
          { L: [{ SS: ['in', 'list'] }, { NS: ['0.001'] }, { BS: ['AQID'] }] },
        ],
      },
      deep,
    },
    {
      pk: { S: 'TYPES#strings' },
      sk: { N: '101' },
      quotes: { S: `say "hi" and 'bye'` },
      slashes: { S: 'back\\slash /forward/ \\n not a newline' },
      controls: { S: 'tab\tnewline\ncr\rbell\u0007nul\u0000esc\u001bdel\u007f' },
      unicode: { S: 'ключ 鍵 🔑 e\u0301' },
      ionLike: { S: "$ion_1_0 {a:'''b'''} // not a comment" },
      empty: { S: '' },
      emptyBinary: { B: '' },
      ['odd-name']: { S: 'a name with a dash' },
      ['with space']: { S: 'a name with a space' },
      ["it's"]: { S: 'a name with a quote' },
      ['"dq"']: { S: 'a name with double quotes' },
      ['$dollar']: { S: 'a name starting with $' },
      ['$10']: { S: 'a name that looks like an Ion symbol id' },
      ['true']: { BOOL: false },
      ['null']: { NULL: true },
      ['nan']: { N: '1' },
      ['9lives']: { S: 'starts with a digit' },
      ['ключ']: { S: 'a non-ASCII name' },
      ['__proto__']: { S: 'an own attribute, not a prototype' },
      nested: { M: { ['a.b']: { S: 'dot' }, ['[0]']: { S: 'brackets' }, id: { S: 'nested id stays' } } },
    },
    {
      pk: { S: 'TYPES#numbers' },
      sk: { N: '6E2' },
      hundredThree: { N: '103' },
      sixHundred: { N: '600' },
      sixHundredExp: { N: '6E2' },
      twoThousand: { N: '2000' },
      twoThousandExp: { N: '2E3' },
      half: { N: '0.5' },
      halfExp: { N: '5E-1' },
      halfPadded: { N: '0.50' },
      negZero: { N: '-0' },
      negZeroFraction: { N: '-0.0' },
      zero: { N: '0' },
      negative: { N: '-12.5' },
      max: { N: '9.9999999999999999999999999999999999999E+125' },
      min: { N: '-1E-130' },
      digits38: { N: '12345678901234567890123456789012345678' },
      fraction38: { N: '0.12345678901234567890123456789012345678' },
      beyondDouble: { N: '9007199254740993' },
      micros: { N: '1767226512345678' },
      set: { NS: ['103', '6E2', '2E3', '5E-1', '-0.75', '1E+100'] },
    },
  ];
}
