import { formatInvocationLine } from '../../../tools/devhost/invoke/invocationLine';
import { typedDataToJsonText, typedDataToValue } from '../../../tools/devhost/invoke/typedData';
import { durableClientBinding, managementUrls } from '../../../tools/devhost/durable/clientBinding';
import { instanceIdError } from '../../../tools/devhost/durable/instanceIds';

describe('invocation log line', () => {
  it('is one line with function, instance, duration and outcome', () => {
    expect(formatInvocationLine({ functionName: 'Hello', instanceId: 'abc', durationMs: 12.4 })).toBe(
      "Executed 'Hello' instance=abc 12ms ok",
    );
    expect(formatInvocationLine({ functionName: 'greet', durationMs: 3, error: 'bad\n  thing' })).toBe(
      "Executed 'greet' 3ms error: bad thing",
    );
  });
});

describe('activity results as JSON text (what TaskCompleted.Result holds)', () => {
  it('re-encodes each RpcTypedData kind', () => {
    expect(typedDataToJsonText({ string: 'x' })).toBe('"x"');
    expect(typedDataToJsonText({ json: '{"a":1}' })).toBe('{"a":1}');
    expect(typedDataToJsonText({ int: 5 })).toBe('5');
    expect(typedDataToJsonText({ double: 1.5 })).toBe('1.5');
    expect(typedDataToJsonText({ bytes: Buffer.from('hi') })).toBe('"aGk="');
    expect(typedDataToJsonText(undefined)).toBeNull();
    expect(typedDataToValue({ json: '{"isDone":true}' })).toEqual({ isDone: true });
  });
});

describe('durable client binding', () => {
  it('points rpcBaseUrl at this host with a trailing slash and fills management URLs', () => {
    const binding = durableClientBinding({
      origin: 'http://localhost:7071',
      rpcOrigin: 'http://127.0.0.1:7071',
      hubName: 'Hub',
    });
    expect(binding).toMatchObject({
      taskHubName: 'Hub',
      rpcBaseUrl: 'http://127.0.0.1:7071/runtime/webhooks/durabletask/',
      baseUrl: 'http://localhost:7071/runtime/webhooks/durabletask',
    });
    expect(binding.managementUrls).toMatchObject({
      id: 'INSTANCEID',
      statusQueryGetUri:
        'http://localhost:7071/runtime/webhooks/durabletask/instances/INSTANCEID?taskHub=Hub&connection=Storage',
    });
    expect(managementUrls({ origin: 'http://h:1', hubName: 'Hub' }, 'a b').terminatePostUri).toBe(
      'http://h:1/runtime/webhooks/durabletask/instances/a%20b/terminate?reason={text}&taskHub=Hub&connection=Storage',
    );
  });

  it('validates instance ids like StartNewAsync', () => {
    expect(instanceIdError('ok-id:1')).toBeUndefined();
    expect(instanceIdError('@entity')).toMatch('must not start with @');
    expect(instanceIdError('a/b')).toMatch('must not contain');
    expect(instanceIdError('x'.repeat(257))).toMatch('256');
  });
});
