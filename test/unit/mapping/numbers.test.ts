import { canonicalDecimal, mapNumber, NumberMode } from '../../../src/mapping';
import { expectMappingError, randomDigits, seeded } from './helpers';

const DIGITS_38 = '12345678901234567890123456789012345678';
const NINES_38 = '9'.repeat(38);

describe('canonicalDecimal', () => {
  test.each([
    ['0', '0'],
    ['-0', '0'],
    ['+0', '0'],
    ['0.000', '0'],
    ['-0.0e7', '0'],
    ['0E+9999999999999', '0'],
    ['7', '7'],
    ['+7', '7'],
    ['-7', '-7'],
    ['100', '100'],
    ['1E+2', '100'],
    ['1e2', '100'],
    ['1E2', '100'],
    ['-0.50', '-0.5'],
    ['0.5', '0.5'],
    ['.5', '0.5'],
    ['5.', '5'],
    ['5.000', '5'],
    ['000.1', '0.1'],
    ['007', '7'],
    ['-007.700', '-7.7'],
    ['1.5e-7', '0.00000015'],
    ['15E-8', '0.00000015'],
    ['0.00015e3', '0.15'],
    ['123.456e1', '1234.56'],
    ['123.456e3', '123456'],
    ['123.456e5', '12345600'],
    ['123.456E-3', '0.123456'],
    ['1E+0', '1'],
    ['1E-0', '1'],
    ['1e+0002', '100'],
    ['12345678901234567890', '12345678901234567890'],
    [DIGITS_38, DIGITS_38],
    [`-${DIGITS_38}`, `-${DIGITS_38}`],
    [`0.${DIGITS_38}`, `0.${DIGITS_38}`],
    [`${DIGITS_38}000`, `${DIGITS_38}000`],
    ['1E-130', `0.${'0'.repeat(129)}1`],
    ['-1E-130', `-0.${'0'.repeat(129)}1`],
    ['9.9999999999999999999999999999999999999E+125', `${NINES_38}${'0'.repeat(88)}`],
    ['-9.9999999999999999999999999999999999999E+125', `-${NINES_38}${'0'.repeat(88)}`],
    ['1E+125', `1${'0'.repeat(125)}`],
    [`${NINES_38}E+88`, `${NINES_38}${'0'.repeat(88)}`],
    [`1${'0'.repeat(100)}`, `1${'0'.repeat(100)}`],
    [`0.${'0'.repeat(200)}`, '0'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected);
  });

  test.each([
    [''],
    [' '],
    [' 1'],
    ['1 '],
    ['abc'],
    ['NaN'],
    ['Infinity'],
    ['-Infinity'],
    ['0x10'],
    ['0b1'],
    ['0o7'],
    ['1e'],
    ['1e+'],
    ['1E-'],
    ['e5'],
    ['.'],
    ['-'],
    ['+'],
    ['-.'],
    ['.e1'],
    ['1.2.3'],
    ['--1'],
    ['+-1'],
    ['1e1.5'],
    ['1e1e1'],
    ['1_000'],
    ['1,5'],
    ['١'],
    ['１'],
    ['1\n'],
  ])('%j is not a decimal number', (input) => {
    const error = expectMappingError(() => canonicalDecimal(input), 'BAD_NUMBER', '');
    expect(error.message).toContain('is not a decimal number');
  });

  test.each([
    [`1${DIGITS_38}`, 'more than 38 significant digits'],
    [`0.${DIGITS_38}1`, 'more than 38 significant digits'],
    ['1E+126', 'outside'],
    ['10E+125', 'outside'],
    ['99999999999999999999999999999999999999E+89', 'outside'],
    ['1E-131', 'outside'],
    ['0.1E-130', 'outside'],
    ['1E+9999999999', 'outside'],
    ['1E-9999999999', 'outside'],
    [`1${'0'.repeat(126)}`, 'outside'],
  ])('%s is beyond DynamoDB limits', (input, reason) => {
    const error = expectMappingError(() => canonicalDecimal(input), 'BAD_NUMBER', '');
    expect(error.reason).toContain(reason);
  });

  test('the error names the path it is given', () => {
    const error = expectMappingError(() => canonicalDecimal('x1', 'pk'), 'BAD_NUMBER', 'pk');
    expect(error.message).toBe('[BAD_NUMBER] pk: "x1" is not a decimal number');
  });

  test('a hostile value is shortened in the message', () => {
    const error = expectMappingError(() => canonicalDecimal('x'.repeat(100_000)), 'BAD_NUMBER', '');
    expect(error.message.length).toBeLessThan(200);
  });
});

describe('mapNumber, lossless', () => {
  test.each<[string, number | string]>([
    ['0', 0],
    ['-0', 0],
    ['-0.0', 0],
    ['0.1', 0.1],
    ['-0.1', -0.1],
    ['1E+2', 100],
    ['-0.50', -0.5],
    ['7', 7],
    ['1.5e-7', 1.5e-7],
    ['123456789012345', 123456789012345],
    ['999999999999999', 999999999999999],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', 9007199254740992],
    ['9007199254740993', '9007199254740993'],
    ['12345678901234567890', '12345678901234567890'],
    ['3.14159265358979323846', '3.14159265358979323846'],
    ['3.141592653589793', 3.141592653589793],
    ['0.30000000000000004', 0.30000000000000004],
    ['1E+21', 1e21],
    ['1e21', 1e21],
    ['123456789012345678E+3', '123456789012345678000'],
    ['1.7976931348623157E+100', 1.7976931348623157e100],
    ['1E-130', 1e-130],
    ['-1E-130', -1e-130],
    ['1E+125', 1e125],
    ['9.9999999999999999999999999999999999999E+125', `${NINES_38}${'0'.repeat(88)}`],
    [DIGITS_38, DIGITS_38],
    [`0.${DIGITS_38}`, `0.${DIGITS_38}`],
    ['0.1000000000000000000001', '0.1000000000000000000001'],
    ['00012300.0012300e3', 12300001.23],
    ['+5', 5],
  ])('%s → %j', (input, expected) => {
    const mapped = mapNumber(input, 'lossless');
    expect(mapped.value).toBe(expected);
    expect(mapped.keptAsString).toBe(typeof expected === 'string');
    expect(mapped.lostPrecision).toBe(false);
  });

  test('-0 becomes +0, not negative zero', () => {
    expect(Object.is(mapNumber('-0', 'lossless').value, 0)).toBe(true);
    expect(Object.is(mapNumber('-0.000e5', 'double').value, 0)).toBe(true);
  });
});

describe('mapNumber, string and double', () => {
  test.each<[string, string]>([
    ['0', '0'],
    ['-0', '0'],
    ['7', '7'],
    ['1E+2', '100'],
    ['-0.50', '-0.5'],
    ['0.1', '0.1'],
    ['007', '7'],
    ['9007199254740993', '9007199254740993'],
    ['1E-130', `0.${'0'.repeat(129)}1`],
  ])('string: %s → %j', (input, expected) => {
    expect(mapNumber(input, 'string')).toEqual({ value: expected, keptAsString: true, lostPrecision: false });
  });

  test.each<[string, number, boolean]>([
    ['0.1', 0.1, false],
    ['-0', 0, false],
    ['1E+2', 100, false],
    ['9007199254740991', 9007199254740991, false],
    ['9007199254740993', 9007199254740992, true],
    ['12345678901234567890', 12345678901234567000, true],
    ['3.14159265358979323846', 3.141592653589793, true],
    ['0.30000000000000004', 0.30000000000000004, false],
    ['9.9999999999999999999999999999999999999E+125', 1e126, true],
  ])('double: %s → %d (lost precision: %s)', (input, expected, lost) => {
    expect(mapNumber(input, 'double')).toEqual({ value: expected, keptAsString: false, lostPrecision: lost });
  });

  test.each<NumberMode>(['lossless', 'string', 'double'])('%s mode refuses malformed numbers', (mode) => {
    for (const bad of ['', 'NaN', 'Infinity', '0x1F', '1e', '12a', '1E+126']) {
      expectMappingError(() => mapNumber(bad, mode, 'n'), 'BAD_NUMBER', 'n');
    }
  });
});

/**
 * An oracle independent of the implementation: BigInt mantissa and exponent, trailing zeros removed.
 * Used on generated literals only, which the regex below accepts.
 */
function exactDecimal(s: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!match) throw new Error(`oracle cannot read ${s}`);
  let mantissa = BigInt(`${match[2]}${match[3] ?? ''}` || '0');
  let exponent = Number(match[4] ?? '0') - (match[3] ?? '').length;
  if (mantissa === 0n) return '0';
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  return `${match[1] === '-' ? '-' : ''}${mantissa}e${exponent}`;
}

/** A random in-range literal with `digits` significant digits, spelt in one of several ways. */
function randomLiteral(random: () => number, digits: number): string {
  const significant = String(1 + Math.floor(random() * 9)) + randomDigits(random, digits - 1);
  const adjusted = -130 + Math.floor(random() * 256);
  const sign = random() < 0.4 ? '-' : random() < 0.1 ? '+' : '';
  const style = Math.floor(random() * 4);
  if (style === 0) return `${sign}${significant[0]}.${significant.slice(1)}E${adjusted >= 0 ? '+' : ''}${adjusted}`;
  const exponent = adjusted - (digits - 1);
  if (style === 1) return `${sign}00${significant}000e${exponent - 3}`;
  // Plain notation, limited to modest magnitudes so the literal stays short.
  const small = Math.floor(random() * 40) - 20;
  if (small >= 0) return `${sign}${significant}${'0'.repeat(small)}`;
  const padded = significant.padStart(-small + 1, '0');
  const point = padded.length + small;
  return `${sign}${padded.slice(0, point)}.${padded.slice(point)}${style === 3 ? '00' : ''}`;
}

describe('against an independent oracle', () => {
  const random = seeded(20260101);
  const cases = Array.from({ length: 4000 }, () => randomLiteral(random, 1 + Math.floor(random() * 38)));

  test('canonicalDecimal denotes the same value, is canonical and idempotent', () => {
    for (const literal of cases) {
      const canonical = canonicalDecimal(literal);
      expect([literal, exactDecimal(canonical)]).toEqual([literal, exactDecimal(literal)]);
      expect(canonical).toMatch(/^(0|-?[1-9]\d*|-?(0|[1-9]\d*)\.\d*[1-9])$/);
      expect(canonicalDecimal(canonical)).toBe(canonical);
    }
  });

  test('lossless gives a number exactly when the shortest double denotes the same decimal', () => {
    let numbers = 0;
    let strings = 0;
    for (const literal of cases) {
      const exact = exactDecimal(String(Number(literal))) === exactDecimal(literal);
      const mapped = mapNumber(literal, 'lossless');
      expect([literal, mapped.value]).toEqual([literal, exact ? Number(literal) + 0 : canonicalDecimal(literal)]);
      expect(mapNumber(literal, 'double').lostPrecision).toBe(!exact);
      if (exact) numbers++;
      else strings++;
    }
    // Both outcomes must actually be exercised for the test to mean anything.
    expect(numbers).toBeGreaterThan(500);
    expect(strings).toBeGreaterThan(500);
  });

  test('up to 15 significant digits always stays a number (the fast path)', () => {
    for (let i = 0; i < 4000; i++) {
      const literal = randomLiteral(random, 1 + Math.floor(random() * 15));
      expect([literal, typeof mapNumber(literal, 'lossless').value]).toEqual([literal, 'number']);
      expect(exactDecimal(String(Number(literal)))).toBe(exactDecimal(literal));
    }
  });
});
