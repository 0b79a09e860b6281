import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { controlRecord, episodeTime, pickInboxEvent } from '../../../tools/devhost/durable/episodeSelection';
import { EventType, makeEvent } from '../../../tools/devhost/durable/historyEvents';
import {
  applyRecord,
  continuedSnapshot,
  InstanceState,
  newInstanceSnapshot,
  stateFromSnapshot,
} from '../../../tools/devhost/durable/instanceState';
import { InstanceStore } from '../../../tools/devhost/durable/instanceStore';
import { buildOrchestrationTrigger, parseOrchestratorFailure } from '../../../tools/devhost/durable/orchestratorCall';
import { AZURE_STORAGE_TIMER_LIMITS } from '../../../tools/devhost/durable/timerLimits';

const NOW = '2024-02-02T02:02:02.000Z';

function fresh(id = 'inst-1'): InstanceState {
  return stateFromSnapshot(
    newInstanceSnapshot({ instanceId: id, name: 'Orch', input: '{"a":1}', executionId: 'e1', now: NOW }),
  );
}

describe('instance store (append-only log per instance)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'devhost-store-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('replays snapshot, inbox and episode records into the same state', async () => {
    const store = new InstanceStore(dir);
    await store.init();
    const snapshot = newInstanceSnapshot({
      instanceId: 'Order/42 ü',
      name: 'Orch',
      input: 'null',
      executionId: 'e1',
      now: NOW,
    });
    await store.writeSnapshot(snapshot);
    const completed = makeEvent(EventType.TaskCompleted, NOW, { TaskScheduledId: 0, Result: '"x"' });
    await store.append(snapshot.instanceId, [{ type: 'inbox', event: completed }]);
    await store.append(snapshot.instanceId, [
      {
        type: 'episode',
        consumed: 0,
        appended: [
          makeEvent(EventType.OrchestratorStarted, NOW),
          snapshot.inbox[0],
          makeEvent(EventType.OrchestratorCompleted, NOW),
        ],
        status: 'Running',
        output: null,
        customStatus: '"busy"',
        lastUpdatedTime: NOW,
        delta: {
          nextSeq: 1,
          leafCount: 1,
          added: { 0: { kind: 'activity', leaf: 0, name: 'A', input: 1 } },
          canceledTimers: [],
          canceledLeaves: [],
        },
      },
    ]);
    const [loaded] = await store.loadAll(() => undefined);
    expect(loaded.instanceId).toBe('Order/42 ü');
    expect(loaded.status).toBe('Running');
    expect(loaded.customStatus).toBe('"busy"');
    expect(loaded.history.map((e) => e.EventType)).toEqual([
      EventType.OrchestratorStarted,
      EventType.ExecutionStarted,
      EventType.OrchestratorCompleted,
    ]);
    expect(loaded.inbox).toEqual([completed]);
    expect(loaded.resolved.has(0)).toBe(true);
    expect(loaded.book.tasks[0]).toMatchObject({ name: 'A' });
  });

  it('drops a torn (unacknowledged) last line and keeps appending cleanly', async () => {
    const store = new InstanceStore(dir);
    await store.init();
    const snapshot = newInstanceSnapshot({
      instanceId: 'torn',
      name: 'Orch',
      input: 'null',
      executionId: 'e1',
      now: NOW,
    });
    await store.writeSnapshot(snapshot);
    await fs.appendFile(store.fileFor('torn'), '{"type":"inbox","event":{"EventTy');
    expect((await store.load('torn'))?.inbox).toHaveLength(1);
    await store.append('torn', [
      { type: 'inbox', event: makeEvent(EventType.EventRaised, NOW, { Name: 'x', Input: '1' }) },
    ]);
    expect((await store.load('torn'))?.inbox.map((e) => e.EventType)).toEqual([
      EventType.ExecutionStarted,
      EventType.EventRaised,
    ]);
  });

  it('keeps ids that differ only in case apart', () => {
    const store = new InstanceStore(dir);
    expect(store.fileFor('Abc')).not.toBe(store.fileFor('abc'));
  });
});

describe('episode selection', () => {
  it('takes termination first, holds events while suspended, and resumes', () => {
    const state = fresh();
    applyRecord(state, { type: 'inbox', event: makeEvent(EventType.EventRaised, NOW, { Name: 'e' }) });
    applyRecord(state, { type: 'inbox', event: makeEvent(EventType.ExecutionSuspended, NOW) });
    expect(pickInboxEvent(state)).toBe(2);
    applyRecord(state, controlRecord(state, 2, NOW)!);
    expect(state.status).toBe('Suspended');
    expect(pickInboxEvent(state)).toBeUndefined();
    applyRecord(state, { type: 'inbox', event: makeEvent(EventType.ExecutionTerminated, NOW, { Input: 'stop' }) });
    expect(pickInboxEvent(state)).toBe(2);
    applyRecord(state, controlRecord(state, 2, NOW)!);
    expect(state.status).toBe('Terminated');
    expect(state.output).toBe('stop');
    expect(pickInboxEvent(state)).toBeUndefined();
  });

  it('never moves the orchestration clock backwards and not before a firing timer', () => {
    const state = fresh();
    state.history.push(makeEvent(EventType.OrchestratorStarted, '2030-01-01T00:00:00.000Z'));
    expect(episodeTime(state, makeEvent(EventType.EventRaised, NOW), Date.parse(NOW))).toBe('2030-01-01T00:00:00.000Z');
    const timer = makeEvent(EventType.TimerFired, NOW, { TimerId: 0, FireAt: '2031-01-01T00:00:00.000Z' });
    expect(episodeTime(state, timer, Date.parse(NOW))).toBe('2031-01-01T00:00:00.000Z');
  });

  it('carries undelivered external events into the next execution only', () => {
    const state = fresh();
    applyRecord(state, { type: 'inbox', event: makeEvent(EventType.EventRaised, NOW, { Name: 'keep' }) });
    applyRecord(state, {
      type: 'inbox',
      event: makeEvent(EventType.TaskCompleted, NOW, { TaskScheduledId: 3, Result: '1' }),
    });
    const next = continuedSnapshot(state, '2', 'e2', NOW);
    expect(next.inbox.map((e) => [e.EventType, e.Name])).toEqual([
      [EventType.ExecutionStarted, 'Orch'],
      [EventType.EventRaised, 'keep'],
    ]);
    expect(next.inbox[0].Input).toBe('2');
    expect(next.generation).toBe(1);
  });
});

describe('orchestration trigger', () => {
  it('marks earlier events played (except OrchestratorStarted) and carries the schema V3 fields', () => {
    const history = [
      makeEvent(EventType.OrchestratorStarted, NOW),
      makeEvent(EventType.ExecutionStarted, NOW, { Name: 'Orch', Input: '{"a":1}' }),
      makeEvent(EventType.OrchestratorCompleted, NOW),
      makeEvent(EventType.OrchestratorStarted, NOW),
      makeEvent(EventType.EventRaised, NOW, { Name: 'x' }),
    ];
    const trigger = buildOrchestrationTrigger({
      instanceId: 'i',
      parentInstanceId: null,
      input: '{"a":1}',
      history,
      newEventsFrom: 3,
      limits: AZURE_STORAGE_TIMER_LIMITS,
    });
    expect((trigger.history as { IsPlayed: boolean }[]).map((e) => e.IsPlayed)).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(trigger).toMatchObject({
      input: { a: 1 },
      instanceId: 'i',
      isReplaying: true,
      upperSchemaVersion: 1,
      upperSchemaVersionNew: 2,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    });
  });

  it('parses the $OutOfProcData$ failure payload of durable-functions 3.5', () => {
    const err = new Error(
      'false\n\n$OutOfProcData$:{"isDone":false,"actions":[[]],"error":"kaboom","customStatus":"s"}',
    );
    expect(parseOrchestratorFailure(err)).toEqual({ error: 'kaboom', customStatus: 's' });
    expect(parseOrchestratorFailure(new Error('plain'))).toBeUndefined();
  });
});
