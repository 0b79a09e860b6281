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
