import { formatPath, MappingError, PathSegment } from '../../../src/mapping';

describe('MappingError', () => {
  test('carries code, path and reason; the message leads with the code', () => {
    const error = new MappingError('BAD_NUMBER', 'meta.flags[2]', '"x" is not a decimal number');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MappingError');
    expect(error.code).toBe('BAD_NUMBER');
    expect(error.path).toBe('meta.flags[2]');
    expect(error.reason).toBe('"x" is not a decimal number');
    expect(error.message).toBe('[BAD_NUMBER] meta.flags[2]: "x" is not a decimal number');
  });

  test('an item-level error has no path in its message', () => {
    expect(new MappingError('BAD_VALUE', '', 'the item is not an object').message).toBe(
      '[BAD_VALUE] the item is not an object',
    );
  });
});

describe('formatPath', () => {
  test.each<[PathSegment[], string, string]>([
    [[], '', ''],
    [['price'], 'price', 'price'],
    [['meta', 'flags', 2], 'meta.flags[2]', 'meta.flags[]'],
    [['items', 0, 'price'], 'items[0].price', 'items[].price'],
    [['m', 3, 1, 'x'], 'm[3][1].x', 'm[][].x'],
    [['a.b'], '["a.b"]', '["a.b"]'],
    [['m', 'x[1]'], 'm["x[1]"]', 'm["x[1]"]'],
    [['m', ''], 'm[""]', 'm[""]'],
    [['m', 'say "hi"'], 'm["say \\"hi\\""]', 'm["say \\"hi\\""]'],
    [['naïve', 'ключ'], 'naïve.ключ', 'naïve.ключ'],
  ])('%j → %s / %s', (segments, exact, normalised) => {
    expect(formatPath(segments, false)).toBe(exact);
    expect(formatPath(segments, true)).toBe(normalised);
  });
});
