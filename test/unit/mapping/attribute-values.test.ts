import {
  AttributeValue,
  createValueContext,
  MappedValue,
  MappingErrorCode,
  mapValue,
  MAX_NESTING,
  NumberMode,
  ValueContext,
} from '../../../src/mapping';
import { expectMappingError } from './helpers';

/** Maps `av` as top-level attribute `name`, the way mapItem does. */
function map(av: unknown, mode: NumberMode = 'lossless', name = 'a'): { value: MappedValue; ctx: ValueContext } {
  const ctx = createValueContext(mode);
  ctx.path.push(name);
  const value = mapValue(av as AttributeValue, ctx);
  ctx.path.pop();
  return { value, ctx };
}

describe('every type (mapping.md §1)', () => {
  test.each<[string, unknown, MappedValue]>([
    ['S', { S: 'Sensor "north"' }, 'Sensor "north"'],
    ['S empty', { S: '' }, ''],
    ['S non-ASCII', { S: 'naïve 🍰' }, 'naïve 🍰'],
    ['N integer', { N: '42' }, 42],
    ['N decimal', { N: '-12.5' }, -12.5],
    ['N beyond double', { N: '12345678901234567890' }, '12345678901234567890'],
    ['B kept as exported', { B: '3q2+7w==' }, '3q2+7w=='],
    ['B empty', { B: '' }, ''],
    ['BOOL true', { BOOL: true }, true],
    ['BOOL false', { BOOL: false }, false],
    ['NULL', { NULL: true }, null],
    ['M', { M: { fw: { S: '2.1' }, n: { N: '1' } } }, { fw: '2.1', n: 1 }],
    ['M empty', { M: {} }, {}],
    ['L', { L: [{ N: '1' }, { BOOL: false }, { M: {} }, { NULL: true }] }, [1, false, {}, null]],
    ['L empty', { L: [] }, []],
    ['SS in export order', { SS: ['roof', 'outdoor', 'a'] }, ['roof', 'outdoor', 'a']],
    ['NS in export order', { NS: ['443', '80', '0.1', '-0'] }, [443, 80, 0.1, 0]],
    ['NS beyond double', { NS: ['9007199254740993', '1'] }, ['9007199254740993', 1]],
    ['BS in export order', { BS: ['AAE=', '/w=='] }, ['AAE=', '/w==']],
    [
      'nested M and L',
      { M: { flags: { L: [{ N: '1' }, { L: [{ SS: ['x'] }, { M: { deep: { N: '1E+2' } } }] }] } } },
      { flags: [1, [['x'], { deep: 100 }]] },
    ],
  ])('%s', (_name, av, expected) => {
    expect(map(av).value).toEqual(expected);
  });

  test('B values are not decoded or re-encoded, whatever their spelling', () => {
    expect(map({ BS: ['AAE=', 'AAE', 'AB=='] }).value).toEqual(['AAE=', 'AAE', 'AB==']);
  });

  test('a map member named __proto__ is kept as an ordinary property', () => {
    const parsed = JSON.parse('{"M":{"__proto__":{"S":"x"},"b":{"N":"1"}}}');
    const value = map(parsed).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(value)).toBe('{"__proto__":"x","b":1}');
  });

  test('the path stack is back to the attribute name after mapping', () => {
    const ctx = createValueContext('lossless');
    ctx.path.push('a');
    mapValue({ M: { b: { L: [{ NS: ['1'] }] } } }, ctx);
    expect(ctx.path).toEqual(['a']);
  });
});

describe('malformed values (line-level errors with a path)', () => {
  test.each<[string, unknown, MappingErrorCode, string]>([
    ['not an object', 'x', 'BAD_VALUE', 'a'],
    ['null', null, 'BAD_VALUE', 'a'],
    ['an array', [{ S: 'x' }], 'BAD_VALUE', 'a'],
    ['no descriptor', {}, 'BAD_VALUE', 'a'],
    ['two descriptors', { S: 'x', N: '1' }, 'BAD_VALUE', 'a'],
    ['unknown descriptor', { X: 'x' }, 'UNKNOWN_TYPE', 'a'],
    ['lower-case descriptor', { s: 'x' }, 'UNKNOWN_TYPE', 'a'],
    ['Ion-style descriptor', { BLOB: 'x' }, 'UNKNOWN_TYPE', 'a'],
    ['S not a string', { S: 1 }, 'BAD_VALUE', 'a'],
    ['N as a JSON number', { N: 1 }, 'BAD_VALUE', 'a'],
    ['N malformed', { N: '1,5' }, 'BAD_NUMBER', 'a'],
    ['N empty', { N: '' }, 'BAD_NUMBER', 'a'],
    ['N NaN', { N: 'NaN' }, 'BAD_NUMBER', 'a'],
    ['N out of range', { N: '1E+126' }, 'BAD_NUMBER', 'a'],
    ['B not a string', { B: [1, 2] }, 'BAD_VALUE', 'a'],
    ['BOOL as a string', { BOOL: 'true' }, 'BAD_VALUE', 'a'],
    ['BOOL as a number', { BOOL: 1 }, 'BAD_VALUE', 'a'],
    ['NULL false', { NULL: false }, 'BAD_VALUE', 'a'],
    ['NULL as a string', { NULL: 'true' }, 'BAD_VALUE', 'a'],
    ['M as an array', { M: [] }, 'BAD_VALUE', 'a'],
    ['M null', { M: null }, 'BAD_VALUE', 'a'],
    ['L as an object', { L: {} }, 'BAD_VALUE', 'a'],
    ['SS as a string', { SS: 'a' }, 'BAD_VALUE', 'a'],
    ['SS with a number', { SS: ['a', 1] }, 'BAD_VALUE', 'a[1]'],
    ['BS with null', { BS: ['AAE=', null] }, 'BAD_VALUE', 'a[1]'],
    ['NS with a JSON number', { NS: ['1', 2] }, 'BAD_VALUE', 'a[1]'],
    ['NS with a malformed number', { NS: ['1', '2', 'x'] }, 'BAD_NUMBER', 'a[2]'],
    [
      'nested list element',
      { M: { flags: { L: [{ N: '1' }, { BOOL: false }, { N: '0x1' }] } } },
      'BAD_NUMBER',
      'a.flags[2]',
    ],
    ['nested map member', { L: [{ M: { x: { Q: 1 } } }] }, 'UNKNOWN_TYPE', 'a[0].x'],
    ['nested bad shape', { M: { x: { S: 'a', B: 'b' } } }, 'BAD_VALUE', 'a.x'],
    ['name needing quotes', { M: { 'b.c': { N: '' } } }, 'BAD_NUMBER', 'a["b.c"]'],
  ])('%s', (_name, av, code, path) => {
    expectMappingError(() => map(av), code, path);
  });

  test('the message names the code, the path and the reason', () => {
    const error = expectMappingError(
      () => map({ M: { flags: { L: [{ N: '1' }, { N: '1' }, { N: 'abc' }] } } }, 'lossless', 'meta'),
      'BAD_NUMBER',
      'meta.flags[2]',
    );
    expect(error.message).toBe('[BAD_NUMBER] meta.flags[2]: "abc" is not a decimal number');
  });

  function nested(levels: number): unknown {
    let av: unknown = { S: 'bottom' };
    for (let i = 0; i < levels; i++) av = i % 2 === 0 ? { L: [av] } : { M: { x: av } };
    return av;
  }

  test('DynamoDB’s 32 levels of nesting map fine; far deeper is refused, not a stack overflow', () => {
    expect(() => map(nested(32))).not.toThrow();
    expect(() => map(nested(MAX_NESTING - 1))).not.toThrow();
    expectMappingError(() => map(nested(MAX_NESTING)), 'TOO_DEEP', `a${'.x[0]'.repeat(MAX_NESTING / 2)}`);
    let caught: unknown;
    try {
      map(nested(100_000));
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'TOO_DEEP' });
  });
});

describe('numbers and their counts (mapping.md §2)', () => {
  const item = {
    M: {
      total: { N: '12345678901234567890' },
      items: {
        L: [
          { M: { price: { N: '0.1' }, sku: { S: 'A' } } },
          { M: { price: { N: '3.14159265358979323846' } } },
          { M: { price: { N: '9007199254740993' } } },
        ],
      },
      ports: { NS: ['80', '12345678901234567890123', '99999999999999999999'] },
    },
  };

  test('lossless: numbers kept as strings are counted per normalised path', () => {
    const { value, ctx } = map(item, 'lossless', 'order');
    expect(value).toEqual({
      total: '12345678901234567890',
      items: [{ price: 0.1, sku: 'A' }, { price: '3.14159265358979323846' }, { price: '9007199254740993' }],
      ports: [80, '12345678901234567890123', '99999999999999999999'],
    });
    expect(ctx.pending.numbersAsStrings).toEqual([
      'order.total',
      'order.items[].price',
      'order.items[].price',
      'order.ports[]',
      'order.ports[]',
    ]);
    expect(ctx.pending.precisionLost).toEqual([]);
  });

  test('string: every number is its canonical decimal and is counted', () => {
    const { value, ctx } = map({ M: { a: { N: '1E+2' }, b: { NS: ['-0', '0.50'] } } }, 'string', 'x');
    expect(value).toEqual({ a: '100', b: ['0', '0.5'] });
    expect(ctx.pending.numbersAsStrings).toEqual(['x.a', 'x.b[]', 'x.b[]']);
  });

  test('double: every number is a double; the inexact ones are counted', () => {
    const { value, ctx } = map(item, 'double', 'order');
    expect(value).toEqual({
      total: 12345678901234567000,
      items: [{ price: 0.1, sku: 'A' }, { price: 3.141592653589793 }, { price: 9007199254740992 }],
      ports: [80, 1.2345678901234568e22, 100000000000000000000],
    });
    expect(ctx.pending.precisionLost).toEqual([
      'order.total',
      'order.items[].price',
      'order.items[].price',
      'order.ports[]',
      'order.ports[]',
    ]);
    expect(ctx.pending.numbersAsStrings).toEqual([]);
  });
});
