import { mapNumber } from '../../../src/mapping';
import { shortPlainValue } from '../../../src/mapping/numbers';
import { randomDigits, seeded } from './helpers';

/** The one-pass value of short plain literals must be the value Number() reads, bit for bit. */
describe('shortPlainValue', () => {
  test.each([
    ['0', 0],
    ['-0', 0],
    ['-0.000', 0],
    ['7', 7],
    ['-7', -7],
    ['0.1', 0.1],
    ['.5', 0.5],
    ['5.', 5],
    ['19351.86', 19351.86],
    ['0.0993672853801', 0.0993672853801],
    ['999999999999999', 999999999999999],
    ['-99999999999999.9', -99999999999999.9],
    ['0.00000000000001', 1e-14],
  ])('%s is %d', (text, value) => {
    expect(Object.is(shortPlainValue(text), value)).toBe(true);
  });

  test.each([
    '',
    '-',
    '.',
    '-.',
    '1e5',
    '1E+2',
    '+1',
    '1.2.3',
    '1,5',
    ' 1',
    '0x10',
    'Infinity',
    '1234567890123456',
    '0.000000000000001',
    '12345678901234567',
  ])('%j is left to the full parse', (text) => {
    expect(shortPlainValue(text)).toBeNaN();
  });

  test('agrees with Number() on random short literals', () => {
    const random = seeded(42);
    for (let i = 0; i < 50_000; i++) {
      const digits = 1 + Math.floor(random() * 15);
      const body = randomDigits(random, digits);
      const point = Math.floor(random() * (digits + 1));
      const text =
        (random() < 0.3 ? '-' : '') + (random() < 0.5 ? body : `${body.slice(0, point)}.${body.slice(point)}`);
      const expected = Number(text) + 0;
      const actual = shortPlainValue(text);
      if (!Object.is(actual, expected)) throw new Error(`${text}: ${actual} !== ${expected}`);
    }
  });
});

/**
 * Lossless keeps a number of more than 17 significant digits as its canonical string; one already written that
 * way is recognised in one pass (numbers.ts, canonicalSignificantDigits). Whatever the spelling, the answer and
 * any error must be the full parse's, which `string` mode gives for every number.
 */
describe('lossless numbers beyond a double, already canonical or not', () => {
  function spelling(random: () => number): string {
    const sign = ['', '-', '+'][Math.floor(random() * 3)];
    const lead = random() < 0.3 ? '0'.repeat(1 + Math.floor(random() * 3)) : '';
    const int = random() < 0.2 ? '' : randomDigits(random, Math.floor(random() * 60));
    const frac = random() < 0.4 ? '' : `.${randomDigits(random, Math.floor(random() * 60))}`;
    const zeros = random() < 0.3 ? '0'.repeat(Math.floor(random() * 140)) : '';
    const exponent = random() < 0.15 ? `e${Math.floor(random() * 40) - 20}` : '';
    const body = random() < 0.5 ? `${lead}${int}${frac}${zeros}` : `${lead}${int}${zeros}${frac}`;
    return `${sign}${body}${exponent}`;
  }

  function outcome(text: string, mode: 'lossless' | 'string'): unknown {
    try {
      return mapNumber(text, mode);
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  test('20,000 spellings: a string exactly when more than 17 digits, the canonical one; the same errors', () => {
    const random = seeded(17);
    let kept = 0;
    for (let n = 0; n < 20_000; n++) {
      const text = spelling(random);
      const lossless = outcome(text, 'lossless') as { value: unknown; keptAsString: boolean } | { error: string };
      const canonical = outcome(text, 'string') as { value: string } | { error: string };
      if ('error' in canonical) {
        expect(lossless).toEqual(canonical);
        continue;
      }
      const digits = canonical.value.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
      if (digits > 17) {
        kept++;
        expect({ text, lossless }).toEqual({
          text,
          lossless: { value: canonical.value, keptAsString: true, lostPrecision: false },
        });
      }
    }
    expect(kept).toBeGreaterThan(2_000);
  });

  test.each([
    ['1000000000000000000000.507309', '1000000000000000000000.507309'],
    ['-1000000000000000000000.507309', '-1000000000000000000000.507309'],
    ['0.000000000000000000123456789012345678', '0.000000000000000000123456789012345678'],
    ['123456789012345678900000', '123456789012345678900000'],
    ['00123456789012345678.9', '123456789012345678.9'],
    ['123456789012345678.90', '123456789012345678.9'],
    ['+123456789012345678.9', '123456789012345678.9'],
  ])('%s is kept as %s', (text, value) => {
    expect(mapNumber(text, 'lossless')).toEqual({ value, keptAsString: true, lostPrecision: false });
  });

  test.each([
    `1234567890123456789${'0'.repeat(120)}`,
    `0.${'0'.repeat(130)}12345678901234567890`,
    '123456789012345678901234567890123456789',
  ])('%s is refused as the full parse refuses it', (text) => {
    expect(() => mapNumber(text, 'lossless')).toThrow(/BAD_NUMBER/);
  });
});
