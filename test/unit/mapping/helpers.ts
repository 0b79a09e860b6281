import { seededRandom } from '../../../tools/sample/random';
import { MappingError, MappingErrorCode } from '../../../src/mapping';

/** Runs `fn`, expecting a MappingError with this code and path; returns it for further checks. */
export function expectMappingError(fn: () => unknown, code: MappingErrorCode, path: string): MappingError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MappingError);
  const error = caught as MappingError;
  expect({ code: error.code, path: error.path }).toEqual({ code, path });
  return error;
}

/** Deterministic pseudo-random numbers in [0, 1), so property tests fail reproducibly: the sample data's PRNG. */
export const seeded = seededRandom;

export function randomDigits(random: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(random() * 10));
  return out;
}
