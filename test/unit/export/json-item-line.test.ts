/**
 * The direct DynamoDB JSON reader (src/export/json-item-line.ts) against the general path it stands in for,
 * `parseRecord` + `mapItem`: on the sample table's items under every number mode and key schema, on the edge
 * cases of the mapping contract, on hand-written unusual and malformed lines, and on thousands of damaged
 * lines. Whatever `mapRecord` returns or throws must be what the general path returns or throws, document
 * (property order included), partition key and counts alike; the reader itself must read the ordinary lines.
 */
import { mapJsonItemLine } from '../../../src/export/json-item-line';
import { mapRecord, parseRecord } from '../../../src/export/records';
import {
  DynamoItem,
  mapItem,
  mapKeys,
  MappingOptions,
  MappingStats,
  MAX_NESTING,
  newMappingStats,
  NumberMode,
} from '../../../src/mapping';
import { changeRecordLine } from '../../../tools/sample/build-incremental';
import { edgeCaseItems, sampleItem, typeCaseItems } from '../../../tools/sample/items';
import { seededRandom } from '../../../tools/sample/random';
import { SimulatedTable } from '../../../tools/sample/simulated-table';

type Outcome = { result: unknown; stats: string } | { error: string; kind: string };

/** JSON of a value with every object's own keys in order (`__proto__` stored as an attribute included). */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).map((k) => [`#${k}`, (v as Record<string, unknown>)[k]]))
      : v,
  );
}

function general(line: string, incremental: boolean, options: MappingOptions, stats: MappingStats): Outcome {
  try {
    const record = parseRecord(line, incremental);
    const result =
      record.kind === 'put'
        ? { kind: 'put', mapped: mapItem(record.item, options, stats) }
        : { kind: 'delete', key: mapKeys(record.keys, options) };
    return { result: exact(result), stats: exact(stats) };
  } catch (error) {
    return { error: (error as Error).message, kind: (error as Error).constructor.name };
  }
}

function viaMapRecord(line: string, incremental: boolean, options: MappingOptions, stats: MappingStats): Outcome {
  try {
    return { result: exact(mapRecord(line, incremental, options, stats)), stats: exact(stats) };
  } catch (error) {
    return { error: (error as Error).message, kind: (error as Error).constructor.name };
  }
}

interface Tally {
  direct: number;
  general: number;
}

/**
 * Runs both paths over `lines` with `options`, each path counting into its own stats across all lines (so a
 * count left behind by one line would show in the next), and checks they agree line by line.
 */
function differential(lines: string[], options: MappingOptions, incremental = false): Tally {
  const tally: Tally = { direct: 0, general: 0 };
  const expectedStats = newMappingStats();
  const actualStats = newMappingStats();
  const problems: string[] = [];
  for (const line of lines) {
    if (!incremental) {
      // The reader on its own: whatever it returns is the general path's answer, with nothing counted otherwise.
      const probe = newMappingStats();
      const direct = mapJsonItemLine(line, options, probe);
      const reference = general(line, false, options, newMappingStats());
      if (direct === undefined) {
        tally.general++;
        if (exact(probe) !== exact(newMappingStats())) problems.push(`counted a line it left: ${line.slice(0, 200)}`);
      } else {
        tally.direct++;
        if (!('result' in reference)) problems.push(`read a line the general path refuses: ${line.slice(0, 200)}`);
      }
    }
    const expected = general(line, incremental, options, expectedStats);
    const actual = viaMapRecord(line, incremental, options, actualStats);
    if (exact(actual) !== exact(expected)) {
      problems.push(`differs on ${line.slice(0, 200)}\n  general: ${exact(expected)}\n  mapRecord: ${exact(actual)}`);
    }
    if (problems.length >= 5) break;
  }
  expect(problems).toEqual([]);
  expect(exact(actualStats)).toBe(exact(expectedStats));
  return tally;
}

const itemLine = (item: DynamoItem): string => JSON.stringify({ Item: item });
const MODES: NumberMode[] = ['lossless', 'string', 'double'];
const SCHEMAS: { name: string; options: Omit<MappingOptions, 'numberMode'> }[] = [
  { name: 'pk + sk', options: { keySchema: { partitionKey: 'pk', sortKey: 'sk' } } },
  { name: 'pk only', options: { keySchema: { partitionKey: 'pk' } } },
  {
    name: 'hierarchical',
    options: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, hierarchicalPartitionKey: true },
  },
  {
    name: 'nested path',
    options: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, partitionKeyPaths: ['/address/city'] },
  },
  { name: 'id path', options: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, partitionKeyPaths: ['/id'] } },
  {
    name: 'renamed path',
    options: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, partitionKeyPaths: ['/_ddb__ts'] },
  },
];
const ID_SCHEMAS: MappingOptions[] = [
  { keySchema: { partitionKey: 'id' }, numberMode: 'lossless' },
  { keySchema: { partitionKey: 'id', sortKey: 'sk' }, numberMode: 'lossless' },
  { keySchema: { partitionKey: 'pk', sortKey: 'id' }, numberMode: 'lossless', hierarchicalPartitionKey: true },
  { keySchema: { partitionKey: '_ts', sortKey: 'sk' }, numberMode: 'string' },
];

const TABLE_ITEMS = [...edgeCaseItems(), ...typeCaseItems()];

describe('the direct DynamoDB JSON reader', () => {
  it('reads every sample item itself, exactly as the general path maps it, under every number mode', () => {
    for (const mode of MODES) {
      const lines = Array.from({ length: 3000 }, (_, n) => itemLine(sampleItem(1 + (n % 5), n)));
      const tally = differential(lines, { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: mode });
      expect(tally).toEqual({ direct: lines.length, general: 0 });
    }
  });

  it.each(SCHEMAS)('agrees on the sample and edge-case items with key schema $name', ({ options }) => {
    const lines = [...TABLE_ITEMS, ...Array.from({ length: 300 }, (_, n) => sampleItem(11, n))].map(itemLine);
    for (const mode of MODES) differential(lines, { ...options, numberMode: mode });
  });

  it('agrees with key attributes named id or after system properties', () => {
    const items: DynamoItem[] = [
      ...TABLE_ITEMS,
      { id: { S: 'a' }, sk: { N: '1' }, v: { S: 'x' } },
      { id: { S: 'a/b' }, v: { S: 'x' } },
      { id: { S: 'a' }, v: { S: 'x' } },
      { id: { N: '1.50' }, sk: { N: '2' } },
      { id: { S: 'a' }, _ddb_id: { S: 'taken' }, _ddb__ddb_id: { S: 'also' }, sk: { S: 's' } },
      { pk: { S: 'p' }, id: { S: 'p' }, _ts: { N: '1' }, _ddb__ts: { N: '2' }, sk: { N: '3' } },
      { _ts: { N: '12345678901234567890123' }, sk: { S: 'x' }, _rid: { S: 'r' }, _self: { S: 's' } },
      { _ts: { S: 'a' }, sk: { S: 'x' }, _etag: { S: 'e' }, _attachments: { L: [] } },
    ];
    for (const options of ID_SCHEMAS) differential(items.map(itemLine), options);
  });

  it('agrees on numbers of every spelling and size, in each number mode', () => {
    const numbers = [
      '0',
      '-0',
      '-0.0',
      '0.0',
      '00',
      '007',
      '1',
      '-1',
      '0.1',
      '.5',
      '5.',
      '1E+2',
      '1e2',
      '1E-130',
      '1E-131',
      '9.9999999999999999999999999999999999999E+125',
      '1E+126',
      '12345678901234567890123456789012345678',
      '123456789012345678901234567890123456789',
      '3.14159265358979323846',
      '9007199254740991',
      '9007199254740993',
      '123456789012345',
      '1234567890123456',
      '0.000000000000001',
      '-12.500',
      '+5',
      '1e',
      '',
      ' 1',
      '1 ',
      'abc',
      'NaN',
      'Infinity',
      '0x10',
      '1_000',
      '1.2.3',
      '--1',
      '1E+999999999',
      '1e-999999999',
    ];
    const items = numbers.map((n, i): DynamoItem => ({
      pk: { S: `n${i}` },
      sk: { N: String(i) },
      n: { N: n },
      ns: { NS: [n, '1'] },
      nested: { M: { list: { L: [{ N: n }, { M: { deeper: { N: n } } }] } } },
    }));
    const keyed = numbers.map((n): DynamoItem => ({ pk: { S: 'k' }, sk: { N: n } }));
    for (const mode of MODES) {
      differential([...items, ...keyed].map(itemLine), {
        keySchema: { partitionKey: 'pk', sortKey: 'sk' },
        numberMode: mode,
      });
    }
  });

  it('agrees on escapes, unicode and unusual attribute names', () => {
    const lines = [
      '{"Item":{"pk":{"S":"caf\\u00e9"},"sk":{"N":"1"},"v":{"S":"\\ud83d\\udd11 \\u0000 \\" \\\\ \\/ \\b\\f\\n\\r\\t"}}}',
      '{"Item":{"pk":{"S":"\\ud800"},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"\\ud800 lone"},"w":{"SS":["\\udfff"]}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"\\u0069d":{"S":"a|1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"i\\u0064":{"S":"other"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"\\u0053":"escaped descriptor"}}}',
      '{"Item":{"\\u0070k":{"S":"a"},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"\\u0031"},"v":{"N":"\\u0031\\u0032"},"w":{"NS":["\\u0031","1\\u0030\\u0030000000000000000000000.5"]}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"a\\"b":{"S":"q"},"a\\\\b":{"S":"bs"},"a.b":{"S":"dot"},"a/b":{"S":"sl"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"":{"S":"empty name"},"v":{"M":{"":{"S":"e"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"bad \\x escape"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"bad \\u12 escape"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"ends in backslash\\"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"raw \t tab"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"raw \u0000 nul"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"raw \u007f del and \u2028 separator"}}}',
      '{"Item":{"pk":{"S":"ключ 🔑"},"sk":{"S":"e\u0301"},"名前":{"S":"値"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"__proto__":{"S":"own"},"v":{"M":{"__proto__":{"N":"1"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"constructor":{"S":"c"},"toString":{"S":"t"},"hasOwnProperty":{"N":"1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"M":{"constructor":{"S":"c"},"valueOf":{"BOOL":true}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"2":{"S":"two"},"1":{"S":"one"},"b":{"S":"b"},"0":{"S":"zero"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"M":{"b":{"S":"b"},"10":{"S":"ten"},"01":{"S":"not an index"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"4294967295":{"S":"not an index"},"-1":{"S":"neither"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"B":"not base64 at all"},"k":{"BS":["", "AA=="]}}}',
      '{"Item":{"pk":{"B":"AAE="},"sk":{"B":"/w=="}}}',
      '{"Item":{"pk":{"B":"AAE"},"sk":{"B":"/w=="}}}',
      '{"Item":{"pk":{"S":""},"sk":{"N":"1"}}}',
      `{"Item":{"pk":{"S":"${'L'.repeat(1100)}"},"sk":{"N":"4"}}}`,
      `{"Item":{"pk":{"S":"${'é'.repeat(400)}"},"sk":{"S":"${'%'.repeat(30)}"}}}`,
    ];
    for (const options of [
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const },
      { keySchema: { partitionKey: 'pk' }, numberMode: 'string' as const },
      ...ID_SCHEMAS,
    ])
      differential(lines, options);
  });

  it('agrees on duplicate names, at every level', () => {
    const lines = [
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"first"},"v":{"S":"second"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"12345678901234567890123"},"v":{"S":"second"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"X":"bad first"},"v":{"S":"good second"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"pk":{"S":"b"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"sk":{"N":"2"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"id":{"S":"a|1"},"id":{"S":"a|1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"id":{"S":"x"},"id":{"S":"a|1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"_ts":{"N":"1"},"_ts":{"N":"2"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"m":{"M":{"x":{"N":"1.0000000000000000000001"},"x":{"N":"2"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"x","S":"y"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"x","N":"1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"Item":{"pk":{"S":"b"},"sk":{"N":"2"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"Other":1}',
    ];
    for (const options of [
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const },
      ...ID_SCHEMAS,
    ])
      differential(lines, options);
  });

  it('agrees on whitespace anywhere JSON allows it, and where it does not', () => {
    const items = [...TABLE_ITEMS, sampleItem(2, 5), sampleItem(2, 6)];
    const spaced = (item: DynamoItem, gap: string): string =>
      JSON.stringify({ Item: item }, null, 1).replace(/\n */g, gap);
    const lines = items.flatMap((item) => [
      spaced(item, ' '),
      spaced(item, '\t'),
      spaced(item, ' \r '),
      JSON.stringify({ Item: item }, null, 2),
      `  ${itemLine(item)}  `,
      `\t${itemLine(item)}\r`,
      `\u00a0${itemLine(item)}`,
      `\ufeff${itemLine(item)}`,
      `${itemLine(item)}\u000b`,
    ]);
    const options = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const };
    const tally = differential(lines, options);
    expect(tally.direct).toBeGreaterThan(items.length * 5);
  });

  it('agrees on malformed lines: the same error, code and reason', () => {
    const ok = '{"pk":{"S":"a"},"sk":{"N":"1"}';
    const lines = [
      '',
      '   ',
      'not json',
      '$ion_1_0 {Item:{pk:"a",sk:1.}}',
      '{',
      '{"Item":',
      `{"Item":${ok}`,
      `{"Item":${ok}}`,
      `{"Item":${ok}}}}`,
      `{"Item":${ok}}} x`,
      `{"Item":${ok},}}`,
      `{"Item":${ok}},`,
      `[{"Item":${ok}}}]`,
      '{"Item":null}',
      '{"Item":[]}',
      '{"Item":"x"}',
      '{"Item":{}}',
      '{}',
      '[]',
      'null',
      '"Item"',
      '{"Items":{"pk":{"S":"a"},"sk":{"N":"1"}}}',
      '{"item":{"pk":{"S":"a"},"sk":{"N":"1"}}}',
      '{"NewImage":{"pk":{"S":"a"},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"S":"a"}}}',
      '{"Item":{"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"x"}}}',
      '{"Item":{"pk":{"N":"1"},"sk":{"N":"1E+999"}}}',
      '{"Item":{"pk":{"BOOL":true},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"M":{"a":{"N":"1"}}},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"L":[{"N":"1"}]},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"SS":["a"]},"sk":{"N":"1"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"NULL":true}}}',
      '{"Item":{"pk":{"X":"a"},"sk":{"N":"1"}}}',
      `{"Item":${ok},"v":{"X":"a"}}}`,
      `{"Item":${ok},"v":{"S":5}}}`,
      `{"Item":${ok},"v":{"S":null}}}`,
      `{"Item":${ok},"v":{"N":5}}}`,
      `{"Item":${ok},"v":{"N":"1.2.3"}}}`,
      `{"Item":${ok},"v":{"B":true}}}`,
      `{"Item":${ok},"v":{"BOOL":"true"}}}`,
      `{"Item":${ok},"v":{"BOOL":1}}}`,
      `{"Item":${ok},"v":{"BOOL":tru}}}`,
      `{"Item":${ok},"v":{"NULL":false}}}`,
      `{"Item":${ok},"v":{"NULL":null}}}`,
      `{"Item":${ok},"v":{"NULL":true,"S":"x"}}}`,
      `{"Item":${ok},"v":{}}}`,
      `{"Item":${ok},"v":null}}`,
      `{"Item":${ok},"v":"plain"}}`,
      `{"Item":${ok},"v":[{"S":"x"}]}}`,
      `{"Item":${ok},"v":{"M":[]}}}`,
      `{"Item":${ok},"v":{"M":{"a":{"S":"x"},}}}}`,
      `{"Item":${ok},"v":{"M":{"a":"x"}}}}`,
      `{"Item":${ok},"v":{"L":{}}}}`,
      `{"Item":${ok},"v":{"L":[{"S":"x"},]}}}`,
      `{"Item":${ok},"v":{"L":[{"S":"x"},{"Q":"y"}]}}}`,
      `{"Item":${ok},"v":{"L":["x"]}}}`,
      `{"Item":${ok},"v":{"SS":"x"}}}`,
      `{"Item":${ok},"v":{"SS":["x",1]}}}`,
      `{"Item":${ok},"v":{"SS":["x",]}}}`,
      `{"Item":${ok},"v":{"SS":[]}}}`,
      `{"Item":${ok},"v":{"NS":[]}}}`,
      `{"Item":${ok},"v":{"NS":["1","x"]}}}`,
      `{"Item":${ok},"v":{"NS":[1]}}}`,
      `{"Item":${ok},"v":{"BS":[null]}}}`,
      `{"Item":${ok},"v":{"S":"x"} "w":{"S":"y"}}}`,
      `{"Item":${ok},"v":{"S":"x"}`,
      `{"Item":${ok},"v":{"S":"x`,
      `{"Item":${ok},"v":{"S"`,
      `{"Item":${ok},"v"`,
    ];
    for (const options of [
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const },
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'string' as const },
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'nope' as NumberMode },
      { keySchema: { partitionKey: 'pk' }, numberMode: 'lossless' as const, hierarchicalPartitionKey: true },
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const, partitionKeyPaths: ['/v'] },
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const, partitionKeyPaths: ['x'] },
    ])
      differential(lines, options);
  });

  it('agrees on deep nesting, and stays bounded on nesting far beyond it', () => {
    const nested = (levels: number, list: boolean): string => {
      const open = list ? '{"L":[' : '{"M":{"a":';
      const close = list ? ']}' : '}}';
      return `{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":${open.repeat(levels)}{"N":"12345678901234567890123"}${close.repeat(levels)}}}`;
    };
    const lines: string[] = [];
    for (const levels of [1, 31, MAX_NESTING - 2, MAX_NESTING - 1, MAX_NESTING, MAX_NESTING + 1, 100_000]) {
      lines.push(nested(levels, false), nested(levels, true));
    }
    // Unclosed, far deeper than any stack: the reader refuses it at MAX_NESTING and leaves it to JSON.parse.
    lines.push(`{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":${'{"L":['.repeat(500_000)}`);
    const tally = differential(lines, { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' });
    expect(tally.direct).toBe(8);
  });

  it('agrees on names that extend, shorten or escape the names of the lines before', () => {
    const lines = [
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"name":{"S":"x"},"m":{"M":{"inner":{"S":"y"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"2"},"names":{"S":"x"},"m":{"M":{"inne":{"S":"y"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"3"},"nam":{"S":"x"},"m":{"M":{"inner":{"S":"y"},"inner":{"S":"z"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"4"},"n\\u0061me":{"S":"x"},"m":{"M":{"in\\"ner":{"S":"y"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"5"},"name":{"S":"x"},"m":{"M":{"inner":{"S":"y"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"6"},"name" :{"S":"x"},"m":{"M":{ "inner":{"S":"y"}}}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"7"},name:{"S":"x"}}}',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"8"},"name',
      '{"Item":{"pk":{"S":"a"},"sk":{"N":"9"},"name":{"S":"x"},"m":{"M":{"inner":{"S":"y"}}}}}',
    ];
    const tally = differential(lines, { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' });
    expect(tally.direct).toBe(6);
  });

  it('agrees on large hostile items: many attributes with renames, long escaped strings', () => {
    const many = (count: number): DynamoItem => {
      const item: DynamoItem = { pk: { S: 'a' }, sk: { N: '1' } };
      for (let i = 0; i < count; i++) item[`a${i}`] = { N: String(i) };
      item._ts = { N: '1' };
      item._ddb__ts = { N: '2' };
      item._ddb__ddb__ts = { N: '3' };
      item.id = { S: 'not the id' };
      return item;
    };
    const lines = [
      itemLine(many(10)),
      itemLine(many(5000)),
      itemLine({ pk: { S: 'a' }, sk: { N: '1' }, v: { S: '\u0000"\\'.repeat(100_000) } }),
      itemLine({ pk: { S: 'a' }, sk: { N: '1' }, v: { SS: Array.from({ length: 20_000 }, (_, i) => `s${i}\n`) } }),
    ];
    for (const options of [
      { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const },
      ...ID_SCHEMAS,
    ])
      differential(lines, options);
  });

  it('agrees on thousands of damaged sample lines', () => {
    const random = seededRandom(15);
    const tokens = [
      '"',
      '\\',
      '{',
      '}',
      '[',
      ']',
      ':',
      ',',
      ' ',
      'S',
      'N',
      'M',
      'L',
      '0',
      '-',
      '.',
      'E',
      'u',
      'true',
      '\u0000',
      'é',
    ];
    const source = [...TABLE_ITEMS, ...Array.from({ length: 50 }, (_, n) => sampleItem(4, n))].map(itemLine);
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      let line = source[Math.floor(random() * source.length)];
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * line.length);
        const token = tokens[Math.floor(random() * tokens.length)];
        const kind = random();
        if (kind < 0.33) line = line.slice(0, at) + line.slice(at + 1);
        else if (kind < 0.66) line = line.slice(0, at) + token + line.slice(at);
        else line = line.slice(0, at) + token + line.slice(at + 1);
      }
      lines.push(line);
    }
    for (const mode of MODES)
      differential(lines, { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: mode });
  });

  it('leaves incremental records to the general path, which maps them as before', () => {
    const table = new SimulatedTable(['pk', 'sk']);
    let micros = 1_767_225_600_000_000;
    const items = [...TABLE_ITEMS, ...Array.from({ length: 200 }, (_, n) => sampleItem(5, n))];
    for (const item of items) table.put(item, micros++);
    table.endWindow();
    const current = table.snapshot();
    for (let i = 0; i < current.length; i += 3) table.put({ ...current[i], changed: { BOOL: true } }, micros++);
    for (let i = 1; i < current.length; i += 5) table.delete({ pk: current[i].pk, sk: current[i].sk }, micros++);
    const changes = table.endWindow();
    const lines = [
      ...changes.map((c) => changeRecordLine(c, 'NEW_AND_OLD_IMAGES')),
      ...changes.map((c) => changeRecordLine(c, 'NEW_IMAGE')),
    ];
    const options = { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' as const };
    differential(lines, options, true);
    // A full export's reader never reads a change record as an item.
    for (const line of lines) expect(mapJsonItemLine(line, options, newMappingStats())).toBeUndefined();
  });
});
