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
