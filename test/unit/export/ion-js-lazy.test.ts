/**
 * `ion-js` is loaded only when a line needs it (src/export/ion/index.ts): loading it declares classes extending
 * `String`, which slows every string method lookup in the process (V8, Node 20). DynamoDB JSON lines and the Ion
 * lines the project's reader reads never load it; a line only `ion-js` reads loads it and gets its answer.
 */
import { ionItemLine } from '../../../tools/sample/ion-lines';
import { sampleItem } from '../../../tools/sample/items';

let mockIonJsLoads = 0;
jest.mock('ion-js', () => {
  mockIonJsLoads++;
  return jest.requireActual('ion-js');
});

// Required after the mock is in place, so the mock's factory sees every load of ion-js.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseRecord } = require('../../../src/export/records') as typeof import('../../../src/export/records');

describe('ion-js is loaded on first use', () => {
  test('importing the reader, DynamoDB JSON lines and Ion lines the project reads: not loaded', () => {
    const item = sampleItem(11, 3);
    expect(parseRecord(JSON.stringify({ Item: item }), false)).toEqual({ kind: 'put', item });
    expect(parseRecord(ionItemLine(item), false)).toEqual({ kind: 'put', item });
    expect(mockIonJsLoads).toBe(0);
  });

  test('an Ion line only ion-js reads (a symbol table, not what DynamoDB writes): loaded, and its answer', () => {
    const line = '$ion_1_0 $ion_symbol_table::{symbols:["Item"]} {$10:{pk:"a"}}';
    expect(parseRecord(line, false)).toEqual({ kind: 'put', item: { pk: { S: 'a' } } });
    expect(mockIonJsLoads).toBeGreaterThan(0);
  });
});
