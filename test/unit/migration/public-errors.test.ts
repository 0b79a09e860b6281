import { publicErrorOf, scrubbedLine } from '../../../src/errors';

const FRAME = /\bat .*:\d+:\d+|StackTraceString|node_modules|\/work\/|dist\//;

describe('errors cross the API as codes and messages only', () => {
  const durable = (reason: string, error: Error): string =>
    `${reason} \n ${JSON.stringify({ ClassName: error.name, Message: error.message, StackTraceString: error.stack })}`;

  test('a failure with a known code keeps its message from the code on, one line', () => {
    const message = durable(
      "Activity function 'readManifest' failed: [TRANSIENT] s3://b/k: S3 answered HTTP 500 InternalError (x)",
      new Error('[TRANSIENT] s3://b/k'),
    );
    expect(publicErrorOf(new Error(message), 'reading', () => 'id')).toEqual({
      code: 'TRANSIENT',
      message: '[TRANSIENT] s3://b/k: S3 answered HTTP 500 InternalError (x)',
    });
  });

  test('an unknown error becomes INTERNAL with a correlation id, without its stack or machine paths', () => {
    const inner = new URIError('URI malformed');
    const message = durable(`Activity function 'validateMigration' failed: ${inner.name}: ${inner.message}`, inner);
    expect(message).toMatch(FRAME);
    const info = publicErrorOf(new Error(message), 'migrating s3://b/p into d/c', () => 'c0ffee');
    expect(info).toEqual({
      code: 'INTERNAL',
      message: '[INTERNAL] migrating s3://b/p into d/c failed: URIError: URI malformed (correlation id c0ffee)',
      correlationId: 'c0ffee',
    });
    expect(info.message).not.toMatch(FRAME);
  });

  test('an unknown code in brackets is not taken for one of ours', () => {
    expect(publicErrorOf('[NOT_OURS] x', 'w', () => 'id', 'RETRIES_EXHAUSTED').code).toBe('RETRIES_EXHAUSTED');
  });

  test.each([
    [
      "ENOENT: no such file or directory, open '/work/main/dist/x.json'",
      'ENOENT: no such file or directory, open <path>',
    ],
    ['failed at Object.<anonymous> (/work/main/node_modules/a/b.js:10:5)', 'failed at Object.<anonymous> <path>'],
    ['C:\\app\\x.js broke', '<path> broke'],
    [
      'see https://acct.blob.core.windows.net/c/b?sv=1&sig=SECRET now',
      'see https://acct.blob.core.windows.net/c/b now',
    ],
    ['line one\n    at frame (/x.js:1:1)', 'line one'],
    ['x'.repeat(400), `${'x'.repeat(300)}…`],
  ])('scrubbedLine(%j)', (text, expected) => {
    expect(scrubbedLine(text)).toBe(expected);
  });
});
