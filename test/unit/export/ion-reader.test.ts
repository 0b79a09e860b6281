/**
 * The project's Ion reader (src/export/ion/fast-reader.ts) against Amazon's `ion-js`, line by line, on every
 * corpus: lines as DynamoDB writes them, every spelling a reader must accept, hand-written Ion that DynamoDB
 * does not write, and twelve thousand damaged lines. Whenever the fast reader returns a record, it must
 * be exactly what the `ion-js` reader makes of the same line; otherwise it must leave the line to `ion-js`.
 */
import { readIonRecordWithIonJs } from '../../../src/export/ion/ion-js-reader';
import { fastIonRecord } from '../../../src/export/ion/fast-reader';
import { parseIonRecord } from '../../../src/export/ion';
import { IonRecordError } from '../../../src/export/ion/values';
import { parseRecord, RecordError } from '../../../src/export/records';
import { canonicalDecimal, DynamoItem } from '../../../src/mapping';
import { changeRecordLine, ionChangeRecordLine } from '../../../tools/sample/build-incremental';
import { ionItemLine, ionLineFromJson, Spelling } from '../../../tools/sample/ion-lines';
import { edgeCaseItems, sampleItem, typeCaseItems } from '../../../tools/sample/items';
import { seededRandom } from '../../../tools/sample/random';
import { SimulatedTable } from '../../../tools/sample/simulated-table';

type Outcome = { record: unknown } | { error: string };

function reference(line: string, incremental: boolean): Outcome {
  try {
    return { record: readIonRecordWithIonJs(line, incremental) };
  } catch (error) {
    if (!(error instanceof IonRecordError)) throw error;
    return { error: error.message };
  }
}

interface Tally {
  lines: number;
  fast: number;
  left: number;
}

/** Checks every line; returns how many the fast reader read itself and how many it left to ion-js. */
function differential(lines: string[], incremental: boolean): Tally {
  const tally: Tally = { lines: lines.length, fast: 0, left: 0 };
  const problems: string[] = [];
  for (const line of lines) {
    const fast = fastIonRecord(line, incremental);
    const ref = reference(line, incremental);
    if (fast === undefined) {
      tally.left++;
    } else {
      tally.fast++;
      if (!('record' in ref)) problems.push(`fast read a line ion-js refuses (${ref.error}): ${line.slice(0, 300)}`);
      else if (!isDeepStrictEqual(fast, ref.record)) problems.push(`records differ: ${line.slice(0, 300)}`);
    }
    // The entry point gives ion-js's answer either way.
    let entry: Outcome;
    try {
      entry = { record: parseIonRecord(line, incremental) };
    } catch (error) {
      entry = { error: (error as Error).message };
    }
    if (!isDeepStrictEqual(entry, ref)) problems.push(`parseIonRecord differs from ion-js: ${line.slice(0, 300)}`);
    if (problems.length >= 5) break;
  }
  expect(problems).toEqual([]);
  return tally;
}

/** Own properties, in order, at every depth (so `__proto__` stored as an attribute counts too). */
function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A record with every number in canonical text: records of the same item in two formats differ in spelling only. */
function byValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(byValue);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'N' && typeof v === 'string') out[key] = canonicalDecimal(v);
    else if (key === 'NS' && Array.isArray(v)) out[key] = v.map((n: string) => canonicalDecimal(n));
    else out[key] = byValue(v);
  }
  return out;
}

const TABLE_ITEMS: DynamoItem[] = [...edgeCaseItems(), ...typeCaseItems()];
const SAMPLE = Array.from({ length: 400 }, (_, n) => sampleItem(3, n));

function fullLines(spelling: Spelling, items = [...TABLE_ITEMS, ...SAMPLE]): string[] {
  return items.map((item) => ionItemLine(item, spelling));
}

function incrementalLines(spelling: Spelling): string[] {
  const table = new SimulatedTable(['pk', 'sk']);
  let micros = 1_767_225_600_000_000;
  for (const item of [...TABLE_ITEMS, ...SAMPLE.slice(0, 100)]) table.put(item, micros++);
  table.endWindow();
  const current = table.snapshot();
  for (let i = 0; i < current.length; i += 3) table.put({ ...current[i], changed: { BOOL: true } }, micros++);
  for (let i = 1; i < current.length; i += 5) table.delete({ pk: current[i].pk, sk: current[i].sk }, micros++);
  for (const item of SAMPLE.slice(100, 150)) table.put(item, micros++);
  const changes = table.endWindow();
  return [
    ...changes.map((c) => ionChangeRecordLine(c, 'NEW_AND_OLD_IMAGES', spelling)),
    ...changes.map((c) => ionChangeRecordLine(c, 'NEW_IMAGE', spelling)),
  ];
}

/** Lines DynamoDB does not write but that are valid Ion (or nearly): the fast reader must leave or match them. */
const HAND_WRITTEN = [
  '$ion_1_0 {Item:{pk:"a",sk:1d+2}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.d2}}',
  '$ion_1_0 {Item:{pk:"a",sk:1d02}}',
  '$ion_1_0 {Item:{pk:"x\\/y\\?z",sk:1.}}',
  '$ion_1_0{Item:{pk:"a",sk:1.}}',
  '{Item:{pk:"a",sk:1.}}',
  '  $ion_1_0   {  Item : { pk : "a" , sk : 1. }  }  ',
  '$ion_1_0\t{Item:{pk:"a",sk:1.}}\t',
  '$ion_1_0 {Item:{pk:"\\u00e9\\x41\\U0001F511",sk:1.}}',
  '$ion_1_0 {Item:{pk:"\\ud83d\\udd11",sk:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,f:1e0}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,t:2020-01-01T}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,n:null.string}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,n:null.null}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:foo::"x"}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,pk:"b"}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:abc}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:(1 2)}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:{{"clob"}}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.}} {b:1}',
  '$ion_1_0 {Item:{pk:"a",sk:1.}} $ion_1_0',
  '$ion_1_0 {Itm:{pk:"a",sk:1.}}',
  "$ion_1_0 {Item:{pk:'''long''' '''er''',sk:1.}}",
  '$ion_1_0 {Item:{pk:"a",sk:1./*c*/}}',
  '$ion_1_0 {Item:{pk:"a", // comment\n sk:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,b:{{QR==}}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,b:{{ QQ == }}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,b:{{QQ}}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,b:{{Q Q==}}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_SS::[]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_NS::[1, 2.5, 3d1]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:\'$dynamodb_SS\'::["x"]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_SS::$dynamodb_NS::["x"]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_XS::["x"]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_SS::"x"}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_SS::[1.]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_BS::["x"]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_NS::[null]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,s:$dynamodb_SS::null.list}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,\'\':1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,"__proto__":1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,\'constructor\':1.,toString:2.}}',
  '$ion_1_0 $ion_symbol_table::{symbols:["pk"]} {Item:{$10:"x",sk:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,$10:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:"\x7f"}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:"tab\there"}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:1_000.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:0x10}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:0b101}}',
  '$ion_1_0 {Item:{pk:"a",sk:-0}}',
  '$ion_1_0 {Item:{pk:"a",sk:-0.}}',
  '$ion_1_0 {Item:{pk:"a",sk:-0d-3}}',
  '$ion_1_0 {Item:{pk:"a",sk:007.}}',
  '$ion_1_0 {Item:{pk:"a",sk:.5}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,l:[1,]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,null:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,true:1.}}',
  '$ion_1_0 {Item:{pk:"\\0\\a\\v\\b\\f\\r\\n\\t\\\'\\"",sk:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.5D-3}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.5d1234567890}}',
  '$ion_1_0 {Item:null}',
  '$ion_1_0 {Item:"x"}',
  '$ion_1_0 {Item:x::{pk:"a"}}',
  '$ion_1_0 x::{Item:{pk:"a"}}',
  '$ion_1_0 [{Item:{pk:"a"}}]',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:+inf}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:-inf}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:nan}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:true::1}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:{{}}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:{{ }}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:{ {} }}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:"\u2028\u00a0"}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:"unterminated}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.}',
  '$ion_1_0 {Item:{pk:"a",sk:1.}}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.},Item:{pk:"b",sk:2.}}',
  '$ion_1_0',
  '$ion_1_0 ',
  '$ion_1_0x {Item:{pk:"a",sk:1.}}',
  '$ion_1_1 {Item:{pk:"a",sk:1.}}',
  '$ion_1_0 $ion_1_0 {Item:{pk:"a",sk:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,$99:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,$0:1.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:$0}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,$ion_symbol_table:1.,$ion:2.,$ion_1_0:3.,$:4.}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,x:$ion_1_0::[1.]}}',
  '$ion_1_0 {Item:{pk:"a",sk:1.,a:$dynamodb_SS::["x"], b:\'$dynamodb_NS\'::[1.]}}',
  '$ion_1_0 $ion_symbol_table::{imports:$ion_symbol_table} {Item:{pk:"a",sk:1.}}',
  `$ion_1_0 {Item:{pk:"a",sk:1.,deep:${'['.repeat(120)}${']'.repeat(120)}}}`,
  `$ion_1_0 {Item:{pk:"a",sk:1.,deep:${'['.repeat(98)}${']'.repeat(98)}}}`,
  `$ion_1_0 {Item:{pk:"a",sk:1.,deep:${'{a:'.repeat(99)}1.${'}'.repeat(99)}}}`,
];

const INCREMENTAL_HAND_WRITTEN = [
  '$ion_1_0 {Metadata:{WriteTimestampMicros:1767226512345678.},Keys:{pk:"a",sk:1.},NewImage:{pk:"a",sk:1.,v:2.}}',
  '$ion_1_0 {Metadata:{WriteTimestampMicros:1767226512345678},Keys:{pk:"a",sk:1.}}',
  '$ion_1_0 {Metadata:{WriteTimestampMicros:"1767226512345678"},Keys:{pk:"a",sk:1.},OldImage:{pk:"a",sk:1.}}',
  '$ion_1_0 {Metadata:{WriteTimestampMicros:2026-01-01T00:00:00Z},Keys:{pk:"a",sk:1.}}',
  '$ion_1_0 {Keys:{pk:"a",sk:1.},NewImage:null}',
  '$ion_1_0 {Keys:"x",NewImage:{pk:"a",sk:1.}}',
  '$ion_1_0 {Keys:{pk:2020T},NewImage:{pk:"a",sk:1.}}',
  '$ion_1_0 {Keys:{pk:2020T}}',
  '$ion_1_0 {Keys:{pk:{a:{b:2020T}}},Metadata:{}}',
  '$ion_1_0 {OldImage:{pk:"a",sk:1.}}',
  '$ion_1_0 {Keys:{pk:"a",sk:1.},Keys:{pk:"b",sk:1.}}',
  '$ion_1_0 {Keys:{pk:"a",sk:1.},NewImage:{pk:"a",sk:1.},NewImage:{pk:"a",sk:2.}}',
];

/** Damaged copies of valid lines: characters dropped, doubled, swapped or replaced by Ion punctuation. */
function mutations(lines: string[], count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const alphabet = [
    '{',
    '}',
    '[',
    ']',
    '"',
    "'",
    ':',
    ',',
    '.',
    'd',
    'D',
    'e',
    '-',
    '+',
    '0',
    '9',
    ' ',
    '\\',
    '$',
    '=',
  ];
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    let line = lines[Math.floor(random() * lines.length)];
    const edits = 1 + Math.floor(random() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * line.length);
      const choice = random();
      if (choice < 0.3) line = line.slice(0, at) + line.slice(at + 1);
      else if (choice < 0.5) line = line.slice(0, at) + line[at] + line.slice(at);
      else if (choice < 0.6) line = line.slice(0, at) + line.slice(at + 1, at + 2) + line[at] + line.slice(at + 2);
      else line = line.slice(0, at) + alphabet[Math.floor(random() * alphabet.length)] + line.slice(at + 1);
    }
    out.push(line);
  }
  return out;
}

describe('the fast Ion reader against ion-js, line by line', () => {
  test('lines as DynamoDB writes them (full export): all read by the fast reader, identical records', () => {
    const tally = differential(fullLines('aws'), false);
    expect(tally.left).toBe(0);
  });

  test('every spelling a reader must accept, over five seeds: identical records, none left to ion-js', () => {
    for (let seed = 1; seed <= 5; seed++) {
      const tally = differential(fullLines(seededRandom(seed)), false);
      expect(tally).toEqual({ lines: TABLE_ITEMS.length + SAMPLE.length, fast: tally.lines, left: 0 });
    }
    expect(differential(fullLines('literal'), false).left).toBe(0);
  });

  test('incremental change records, both views, every spelling', () => {
    for (const spelling of ['aws', 'literal', seededRandom(11), seededRandom(12)] as Spelling[]) {
      expect(differential(incrementalLines(spelling), true).left).toBe(0);
    }
  });

  test('hand-written Ion that DynamoDB does not write: the same answer as ion-js', () => {
    const full = differential(HAND_WRITTEN, false);
    const incremental = differential([...INCREMENTAL_HAND_WRITTEN, ...HAND_WRITTEN], true);
    // Most of these are the fast reader's to leave; those it reads must agree (checked above).
    expect(full.fast).toBeGreaterThan(10);
    expect(full.left).toBeGreaterThan(40);
    expect(incremental.lines).toBe(INCREMENTAL_HAND_WRITTEN.length + HAND_WRITTEN.length);
  });

  test('12,000 damaged lines: never a record that ion-js would not give', () => {
    const valid = [
      ...fullLines('aws', [...TABLE_ITEMS, ...SAMPLE.slice(0, 20)]),
      ...fullLines(seededRandom(99), TABLE_ITEMS),
      ...HAND_WRITTEN,
    ];
    const damaged = mutations(valid, 8_000, 1234);
    const tally = differential(damaged, false);
    // Some damage leaves valid Ion with another value (a digit replaced), which both must read alike.
    expect(tally.fast).toBeGreaterThan(500);
    const changes = incrementalLines(seededRandom(5)).slice(0, 100);
    differential(mutations([...changes, ...INCREMENTAL_HAND_WRITTEN], 4_000, 4321), true);
  });
});

describe('parseRecord on Ion lines', () => {
  test('a line that begins with $ion_1_0 is Ion; the same item in DynamoDB JSON gives the same record', () => {
    for (const item of [...TABLE_ITEMS, ...SAMPLE.slice(0, 50)]) {
      const json = parseRecord(JSON.stringify({ Item: item }), false);
      for (const spelling of ['aws', 'literal', seededRandom(8)] as Spelling[]) {
        // The same values; numbers may be spelled differently (`600` and `6d2`), as N strings may.
        expect(byValue(parseRecord(ionItemLine(item, spelling), false))).toEqual(byValue(json));
      }
    }
  });

  test('the Ion of a DynamoDB JSON change record gives the same record, insert, update and delete', () => {
    const keys = { pk: { S: 'a/b' }, sk: { N: '1' } };
    const cases = [
      { keys, newImage: { ...keys, v: { N: '2' } }, writeTimestampMicros: 1 },
      { keys, oldImage: { ...keys, v: { N: '1' } }, newImage: { ...keys, v: { N: '2' } }, writeTimestampMicros: 2 },
      { keys, oldImage: { ...keys, v: { N: '1' } }, writeTimestampMicros: 3 },
    ];
    for (const change of cases) {
      for (const view of ['NEW_AND_OLD_IMAGES', 'NEW_IMAGE'] as const) {
        const json = changeRecordLine(change, view);
        expect(byValue(parseRecord(ionLineFromJson(json), true))).toEqual(byValue(parseRecord(json, true)));
        expect(parseRecord(ionChangeRecordLine(change, view), true)).toEqual(parseRecord(json, true));
      }
    }
  });

  test.each([
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:1e0}}', 'Item.x: an Ion float is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:2020-01-01T}}', 'Item.x: an Ion timestamp is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:abc}}', 'Item.x: an Ion symbol is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:{{"c"}}}}', 'Item.x: an Ion clob is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:(a b)}}', 'Item.x: an Ion sexp is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:null.int}}', 'Item.x: a typed null (null.int) is not a DynamoDB value'],
    [
      '$ion_1_0 {Item:{pk:"a",sk:1.,x:$dynamodb_SS::[1.]}}',
      'Item.x[0]: a string set holds strings, got an Ion decimal',
    ],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:$dynamodb_BS::["x"]}}', 'Item.x[0]: a binary set holds blobs, got an Ion string'],
    [
      '$ion_1_0 {Item:{pk:"a",sk:1.,x:$dynamodb_NS::["1"]}}',
      'Item.x[0]: a number set holds decimals, got an Ion string',
    ],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:$dynamodb_SS::[null]}}', 'Item.x[0]: a set element cannot be null'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,x:tag::[1.]}}', 'Item.x: annotation tag:: on an Ion list is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,m:{y:1.,y:2.}}}', 'Item.m.y: field "y" appears twice'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.,\'odd name\':2020T}}', 'Item["odd name"]: an Ion timestamp is not a DynamoDB type'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.}} {Item:{}}', 'the line holds more than one Ion value'],
    ['$ion_1_0 {Items:{pk:"a",sk:1.}}', 'a full export line must have an "Item" struct'],
    ['$ion_1_0 {Item:[]}', 'Item: must be a struct, got an Ion list'],
    ['$ion_1_0 "x"', "the line's value must be a struct, got an Ion string"],
    ['$ion_1_0', 'the line holds no Ion value'],
    ['$ion_1_0 {Item:{pk:"a",sk:1.', 'line is not valid Ion'],
    ['$ion_1_0 {Item:{pk:"a",sk:007.}}', 'line is not valid Ion (leading zeros are not allowed)'],
  ])('an unreadable Ion line is refused with the reason: %s', (line, reason) => {
    let caught: unknown;
    try {
      parseRecord(line, false);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RecordError);
    expect((caught as Error).message.startsWith(reason)).toBe(true);
  });

  test.each([
    ['$ion_1_0 {Keys:{pk:"a",sk:1.},NewImage:[]}', 'NewImage: must be a struct, got an Ion list'],
    ['$ion_1_0 {Metadata:{}}', 'an incremental export line must have a "Keys" struct'],
    ['$ion_1_0 {Keys:{pk:2020T}}', 'Keys.pk: an Ion timestamp is not a DynamoDB type'],
  ])('an unreadable incremental Ion line is refused with the reason: %s', (line, reason) => {
    expect(() => parseRecord(line, true)).toThrow(new RecordError(reason));
  });

  test('a line that is neither JSON nor Ion says both', () => {
    expect(() => parseRecord('garbage', false)).toThrow(/not valid JSON .*; an Ion export line begins with \$ion_1_0/);
    expect(() => parseRecord('{"Item": ', false)).toThrow(/^line is not valid JSON \([^)]*\)$/);
  });
});
