import { EventType, HistoryEvent, makeEvent, OrchestrationStatus } from '../../../tools/devhost/durable/historyEvents';
import {
  parseJsonOrText,
  toHistoryEvents,
  toSortableUtc,
  toStatusPayload,
} from '../../../tools/devhost/durable/statusPayload';

const t = (s: number) => `2024-03-01T08:00:0${s}.123Z`;

const history: HistoryEvent[] = [
  makeEvent(EventType.OrchestratorStarted, t(0)),
  makeEvent(EventType.ExecutionStarted, t(0), {
    Name: 'FanOut',
    Input: '{"n":1}',
    Version: '',
    OrchestrationInstance: { InstanceId: 'i', ExecutionId: 'e' },
    ParentInstance: null,
    Tags: null,
  }),
  makeEvent(EventType.TaskScheduled, t(1), { Name: 'Hello', Version: '', Input: '["\\"Tokyo\\""]' }, 0),
  makeEvent(EventType.TimerCreated, t(1), { FireAt: t(5) }, 1),
  makeEvent(EventType.OrchestratorCompleted, t(1)),
  makeEvent(EventType.OrchestratorStarted, t(2)),
  makeEvent(EventType.TaskCompleted, t(2), { TaskScheduledId: 0, Result: '"Hello Tokyo"' }),
  makeEvent(EventType.OrchestratorCompleted, t(2)),
  makeEvent(EventType.OrchestratorStarted, t(5)),
  makeEvent(EventType.TimerFired, t(5), { TimerId: 1, FireAt: t(5) }),
  makeEvent(
    EventType.ExecutionCompleted,
    t(5),
    { OrchestrationStatus: OrchestrationStatus.Completed, Result: '["Hello Tokyo"]' },
    2,
  ),
  makeEvent(EventType.OrchestratorCompleted, t(5)),
];

describe('historyEvents (port of the extension conversion)', () => {
  it('names event types, drops replay markers and merges scheduling events into completions', () => {
    expect(toHistoryEvents(history, { showHistoryOutput: true, showInput: true })).toEqual([
      { EventType: 'ExecutionStarted', Timestamp: t(0), Input: '{"n":1}', FunctionName: 'FanOut' },
      { EventType: 'TimerCreated', Timestamp: t(1), FireAt: t(5) },
      {
        EventType: 'TaskCompleted',
        Timestamp: t(2),
        Result: 'Hello Tokyo',
        ScheduledTime: t(1),
        FunctionName: 'Hello',
        Input: '["\\"Tokyo\\""]',
      },
      { EventType: 'TimerFired', Timestamp: t(5), FireAt: t(5) },
      { EventType: 'ExecutionCompleted', Timestamp: t(5), OrchestrationStatus: 'Completed', Result: ['Hello Tokyo'] },
    ]);
  });

  it('hides results without showHistoryOutput and inputs without showInput', () => {
    const events = toHistoryEvents(history, { showHistoryOutput: false, showInput: false });
    expect(events.some((e) => 'Result' in e)).toBe(false);
    expect(events.some((e) => 'Input' in e)).toBe(false);
    expect(events.find((e) => e.EventType === 'TaskCompleted')).toMatchObject({
      FunctionName: 'Hello',
      ScheduledTime: t(1),
    });
  });

  it('keeps a scheduled task that has not completed yet', () => {
    const pending = history.slice(0, 5);
    expect(toHistoryEvents(pending, { showHistoryOutput: false, showInput: false }).map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskScheduled',
      'TimerCreated',
    ]);
  });
});

describe('status payload', () => {
  const summary = {
    instanceId: 'i',
    name: 'FanOut',
    status: 'Failed' as const,
    createdTime: '2024-03-01T08:00:00.999Z',
    lastUpdatedTime: '2024-03-01T08:00:05.000Z',
    input: '{"n":1}',
    output: "Orchestrator function 'FanOut' failed: boom",
    customStatus: null,
  };

  it('has exactly the extension fields, times in "s" format, JSON parsed and text kept', () => {
    expect(toStatusPayload(summary, true)).toEqual({
      name: 'FanOut',
      instanceId: 'i',
      runtimeStatus: 'Failed',
      input: { n: 1 },
      customStatus: null,
      output: "Orchestrator function 'FanOut' failed: boom",
      createdTime: '2024-03-01T08:00:00Z',
      lastUpdatedTime: '2024-03-01T08:00:05Z',
    });
  });

  it('nulls the input when showInput=false and adds historyEvents only when asked', () => {
    expect(toStatusPayload(summary, false).input).toBeNull();
    expect(toStatusPayload(summary, true, { events: history, showHistoryOutput: false }).historyEvents).toHaveLength(5);
  });

  it('parses like ParseToJToken', () => {
    expect(parseJsonOrText(null)).toBeNull();
    expect(parseJsonOrText('  ')).toBe('');
    expect(parseJsonOrText('"x"')).toBe('x');
    expect(parseJsonOrText('terminated by ops')).toBe('terminated by ops');
    expect(toSortableUtc('2024-12-31T23:59:59.999Z')).toBe('2024-12-31T23:59:59Z');
  });
});
