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

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so property tests fail reproducibly. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomDigits(random: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(random() * 10));
  return out;
}
