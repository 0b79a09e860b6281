/**
 * One table exported twice, as DynamoDB JSON and as Amazon Ion (tools/sample), read the way a load reads a data
 * file (gunzip + lines + parseRecord + mapping): the documents, deletes and report counts must be identical,
 * whatever the Ion spelling, number mode or partition key. Every type and edge case of the mapping contract is
 * in the table (edgeCaseItems, typeCaseItems), next to generated items.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { readGzipLines } from '../../../src/export/read-lines';
import { parseRecord, RecordError } from '../../../src/export/records';
import { parseExportSummary } from '../../../src/export/parse-summary';
import { DynamoItem, mapItem, mapKeys, MappingError, MappingOptions, newMappingStats } from '../../../src/mapping';
import { buildFullExport, GeneratedExport, IonSpelling, toIonExport } from '../../../tools/sample/build-export';
import { buildIncrementalExport, ExportView } from '../../../tools/sample/build-incremental';
import { edgeCaseItems, sampleItem, typeCaseItems } from '../../../tools/sample/items';
import { SimulatedTable } from '../../../tools/sample/simulated-table';

const TABLE: DynamoItem[] = [
  ...edgeCaseItems(),
  ...typeCaseItems(),
  ...Array.from({ length: 300 }, (_, n) => sampleItem(5, n)),
];

const MAPPINGS: Record<string, MappingOptions> = {
  lossless: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'lossless' },
  string: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'string' },
  double: { keySchema: { partitionKey: 'pk', sortKey: 'sk' }, numberMode: 'double' },
  hierarchical: {
    keySchema: { partitionKey: 'pk', sortKey: 'sk' },
    numberMode: 'lossless',
    hierarchicalPartitionKey: true,
  },
};

/** What a load makes of every line of an export: upserts and deletes in file and line order, and the counts. */
async function loadOutcome(generated: GeneratedExport, mapping: MappingOptions, incremental: boolean) {
  const operations: unknown[] = [];
  const stats = newMappingStats();
  for (const file of generated.files) {
    for await (const line of readGzipLines(Readable.from([file.body]), file.key)) {
      try {
        const record = parseRecord(line.text, incremental);
        if (record.kind === 'put') {
          const mapped = mapItem(record.item, mapping, stats);
          operations.push({ line: line.number, upsert: mapped });
        } else {
          operations.push({ line: line.number, delete: mapKeys(record.keys, mapping) });
        }
      } catch (error) {
        if (!(error instanceof RecordError || error instanceof MappingError)) throw error;
        operations.push({ line: line.number, deadLetter: error.message });
      }
    }
  }
  return { operations, stats };
}

function dataText(generated: GeneratedExport): string {
  return generated.files.map((f) => gunzipSync(f.body).toString('utf8')).join('');
}

describe('a full export in both formats', () => {
  const spec = { prefix: 'exports/both', itemCount: 0, fileCount: 3, items: TABLE, seed: 4 };
  const json = buildFullExport(spec);

  test('the Ion export is laid out as DynamoDB writes one', () => {
    const ion = buildFullExport({ ...spec, format: 'ION' });
    expect(ion.exportId).toBe(json.exportId);
    expect(ion.files.map((f) => f.key)).toEqual(json.files.map((f) => f.key.replace(/\.json\.gz$/, '.ion.gz')));
    expect(ion.files.map((f) => f.itemCount)).toEqual(json.files.map((f) => f.itemCount));
    const summary = ion.objects.find((o) => o.key.endsWith('manifest-summary.json'));
    expect(parseExportSummary(String(summary?.body), 'summary').outputFormat).toBe('ION');
    const lines = dataText(ion).split('\n').filter(Boolean);
    expect(lines.length).toBe(TABLE.length);
    expect(lines.every((line) => line.startsWith('$ion_1_0 {Item:{'))).toBe(true);
    // AWS's spellings: integers with a point, trailing zeros as an exponent, sets annotated.
    const text = dataText(ion);
    for (const spelling of ['sixHundred:6d2', 'twoThousand:2d3', 'hundredThree:103.', 'negZero:-0.', '$dynamodb_BS::['])
      expect(text).toContain(spelling);
  });

  test('every number spelling the issue names is in the literal Ion export', () => {
    const text = dataText(buildFullExport({ ...spec, format: 'ION', ionSpelling: 'literal' }));
    for (const spelling of [':103.', ':6d2', ':2d3', ':5d-1', ':0.50', ':-0.,', "'odd-name':", "'$10':", "'true':"])
      expect(text).toContain(spelling);
  });

  test.each([['aws'], ['literal'], ['varied']] as [IonSpelling][])(
    'documents, dead letters and report counts are identical (Ion spelled %s), in every number mode',
    async (ionSpelling) => {
      const ionExports = [buildFullExport({ ...spec, format: 'ION', ionSpelling })];
      // Varied spellings: two more draws, converted line by line from the JSON export.
      if (ionSpelling === 'varied') ionExports.push(toIonExport(json, 'varied', 2), toIonExport(json, 'varied', 3));
      for (const ion of ionExports) {
        for (const mapping of Object.values(MAPPINGS)) {
          const expected = await loadOutcome(json, mapping, false);
          expect(expected.operations.length).toBe(TABLE.length);
          expect(await loadOutcome(ion, mapping, false)).toEqual(expected);
        }
      }
    },
  );

  test('the table holds what the issue asks for: every type, escaped keys, long ids, reserved names', async () => {
    const { operations, stats } = await loadOutcome(json, MAPPINGS.lossless, false);
    const ids = operations.map((o) => (o as { upsert: { id: string } }).upsert.id);
    expect(ids).toContain('a%2Fb%5Cc%3Fd%23e%7Cf%25g|3');
    expect(ids.some((id) => id.startsWith('sha256-'))).toBe(true);
    expect(ids).toContain('TYPES%23numbers|600');
    expect(stats.renames).toEqual(expect.objectContaining({ id: 1, _ts: 1, _etag: 1 }));
    expect(Object.keys(stats.numbersAsStrings).length).toBeGreaterThan(3);
    expect(operations.some((o) => 'deadLetter' in (o as object))).toBe(false);
  });
});

describe('incremental exports in both formats', () => {
  function changes() {
    const table = new SimulatedTable(['pk', 'sk']);
    let micros = 1_767_225_600_000_000;
    for (const item of TABLE) table.put(item, micros++);
    table.endWindow();
    const current = table.snapshot();
    for (let i = 0; i < current.length; i += 4) table.put({ ...current[i], total: { N: `${i}.50` } }, micros++);
    for (let i = 2; i < current.length; i += 9) table.delete({ pk: current[i].pk, sk: current[i].sk }, micros++);
    for (let n = 300; n < 340; n++) table.put(sampleItem(5, n), micros++);
    return table.endWindow();
  }

  test.each([
    ['NEW_AND_OLD_IMAGES', 'aws'],
    ['NEW_IMAGE', 'aws'],
    ['NEW_AND_OLD_IMAGES', 'varied'],
    ['NEW_IMAGE', 'literal'],
  ] as [ExportView, IonSpelling][])(
    'upserts and deletes are identical (%s, Ion spelled %s)',
    async (view, ionSpelling) => {
      const spec = {
        prefix: 'exports/both',
        fromTime: '2026-01-01T00:00:00.000Z',
        toTime: '2026-01-01T01:00:00.000Z',
        changes: changes(),
        fileCount: 3,
        view,
        seed: 9,
      };
      const json = buildIncrementalExport(spec);
      const ion = buildIncrementalExport({ ...spec, format: 'ION', ionSpelling });
      expect(ion.files.every((f) => f.key.includes('/AWSDynamoDB/data/') && f.key.endsWith('.ion.gz'))).toBe(true);
      const summary = ion.objects.find((o) => o.key.endsWith('manifest-summary.json'));
      expect(parseExportSummary(String(summary?.body), 's')).toEqual(
        expect.objectContaining({ exportType: 'INCREMENTAL_EXPORT', outputFormat: 'ION', outputView: view }),
      );
      expect(dataText(ion)).toMatch(/^\$ion_1_0 \{Metadata:\{WriteTimestampMicros:/);
      for (const mapping of Object.values(MAPPINGS)) {
        const expected = await loadOutcome(json, mapping, true);
        const kinds = expected.operations.map((o) => Object.keys(o as object)[1]);
        expect(kinds).toContain('upsert');
        expect(kinds).toContain('delete');
        expect(await loadOutcome(ion, mapping, true)).toEqual(expected);
        // The same export converted line by line (how tests build Ion twins of chains) reads the same too.
        expect(await loadOutcome(toIonExport(json, ionSpelling, 3), mapping, true)).toEqual(expected);
      }
    },
  );
});

describe('bad lines in an Ion export', () => {
  test('are dead-lettered with the reason, like bad JSON lines, and the others load', async () => {
    const good = buildFullExport({ prefix: 'p', itemCount: 0, fileCount: 1, items: TABLE.slice(0, 3), format: 'ION' });
    const lines = dataText(good).split('\n').filter(Boolean);
    const bad = [
      lines[0],
      '$ion_1_0 {Item:{pk:"x",sk:1.,when:2026-01-01T}}',
      '$ion_1_0 {Item:{pk:"x",sk:2.,',
      '$ion_1_0 {Item:{sk:3.}}',
      lines[1],
    ];
    const generated = { ...good, files: [{ ...good.files[0], body: gzipSync(bad.join('\n') + '\n') }] };
    const { operations } = await loadOutcome(generated, MAPPINGS.lossless, false);
    expect(operations.map((o) => Object.keys(o as object)[1])).toEqual([
      'upsert',
      'deadLetter',
      'deadLetter',
      'deadLetter',
      'upsert',
    ]);
    const reasons = operations.map((o) => (o as { deadLetter?: string }).deadLetter).filter(Boolean);
    expect(reasons[0]).toBe('Item.when: an Ion timestamp is not a DynamoDB type');
    expect(reasons[1]).toMatch(/^line is not valid Ion \(/);
    expect(reasons[2]).toMatch(/pk/);
  });
});
