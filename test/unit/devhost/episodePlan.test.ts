import { ActionType, OrchestratorAction } from '../../../tools/devhost/durable/actions';
import { EpisodeContext, OrchestratorCallResult, planEpisode } from '../../../tools/devhost/durable/episodePlan';
import { applyBookDelta, emptyBook, ExecutionBook } from '../../../tools/devhost/durable/executionBook';
import { EventType, HistoryEvent, makeEvent, OrchestrationStatus } from '../../../tools/devhost/durable/historyEvents';
import { AZURE_STORAGE_TIMER_LIMITS } from '../../../tools/devhost/durable/timerLimits';

const T0 = '2024-05-01T10:00:00.000Z';
const started = makeEvent(EventType.ExecutionStarted, T0, { Name: 'Orch', Input: 'null' });

function ctx(
  book: ExecutionBook,
  delivered: HistoryEvent,
  now = T0,
  extra: Partial<EpisodeContext> = {},
): EpisodeContext {
  return {
    instanceId: 'parent',
    orchestratorName: 'Orch',
    generation: 0,
    now,
    book,
    delivered,
    limits: AZURE_STORAGE_TIMER_LIMITS,
    ...extra,
  };
}

function running(...actions: OrchestratorAction[]): OrchestratorCallResult {
  return { kind: 'ok', state: { isDone: false, actions: [actions], schemaVersion: 2 } };
}

const hello = (city: string): OrchestratorAction => ({
  actionType: ActionType.CallActivity,
  functionName: 'Hello',
  input: JSON.stringify(city),
});
const whenAll = (...children: OrchestratorAction[]): OrchestratorAction => ({
  actionType: ActionType.WhenAll,
  compoundActions: children,
});
const completed = (id: number, result: unknown) =>
  makeEvent(EventType.TaskCompleted, T0, { TaskScheduledId: id, Result: JSON.stringify(result) });
const failed = (id: number) => makeEvent(EventType.TaskFailed, T0, { TaskScheduledId: id, Reason: 'r', Details: 'd' });
const fired = (id: number, at: string) => makeEvent(EventType.TimerFired, at, { TimerId: id, FireAt: at });

describe('planEpisode: sequence ids of new actions', () => {
  it('numbers the worked example of the protocol notes (§3.4) like the SDK does', () => {
    const e1Actions = [whenAll(hello('Tokyo'), hello('Seattle'))];
    const e1 = planEpisode(ctx(emptyBook(), started), running(...e1Actions));
    expect(e1.appended.map((e) => [e.EventType, e.EventId, e.Input])).toEqual([
      [EventType.TaskScheduled, 0, '["\\"Tokyo\\""]'],
      [EventType.TaskScheduled, 1, '["\\"Seattle\\""]'],
    ]);
    expect(e1.work).toEqual([
      { kind: 'activity', seq: 0, name: 'Hello', input: 'Tokyo' },
      { kind: 'activity', seq: 1, name: 'Hello', input: 'Seattle' },
    ]);
    let book = applyBookDelta(emptyBook(), e1.delta);

    const e2 = planEpisode(ctx(book, completed(1, 'Hello Seattle')), running(...e1Actions));
    expect(e2.appended).toEqual([]);
    book = applyBookDelta(book, e2.delta);

    const e3 = planEpisode(ctx(book, completed(0, 'Hello Tokyo')), running(...e1Actions, hello('London')));
    expect(e3.appended.map((e) => [e.EventType, e.EventId])).toEqual([[EventType.TaskScheduled, 2]]);
    book = applyBookDelta(book, e3.delta);

    const output = ['Hello Tokyo', 'Hello Seattle', 'Hello London'];
    const e4 = planEpisode(ctx(book, completed(2, 'Hello London')), {
      kind: 'ok',
      state: { isDone: true, actions: [[...e1Actions, hello('London')]], output, schemaVersion: 2 },
    });
    expect(e4.outcome).toEqual({ kind: 'completed', output: JSON.stringify(output) });
    expect(e4.appended).toEqual([
      expect.objectContaining({
        EventType: EventType.ExecutionCompleted,
        EventId: 3,
        OrchestrationStatus: OrchestrationStatus.Completed,
        Result: JSON.stringify(output),
      }),
    ]);
    expect(e4.work).toEqual([]);
  });

  it('gives external-event waits and ContinueAsNew no id, and decodes the ContinueAsNew input', () => {
    const plan = planEpisode(ctx(emptyBook(), started), {
      kind: 'ok',
      state: {
        isDone: true,
        actions: [
          [
            { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Go' },
            hello('x'),
            { actionType: ActionType.ContinueAsNew, input: JSON.stringify('next') },
          ],
        ],
        schemaVersion: 2,
      },
    });
    expect(plan.delta.nextSeq).toBe(1);
    expect(plan.outcome).toEqual({ kind: 'continuedAsNew', input: '"next"' });
    expect(plan.appended[plan.appended.length - 1]).toMatchObject({
      EventType: EventType.ContinueAsNew,
      EventId: 1,
      OrchestrationStatus: OrchestrationStatus.ContinuedAsNew,
    });
  });

  it('names children after the parent unless the action gives an id', () => {
    const sub = (instanceId?: string): OrchestratorAction => ({
      actionType: ActionType.CallSubOrchestrator,
      functionName: 'Child',
      input: { n: 1 },
      instanceId,
    });
    const plan = planEpisode(ctx(emptyBook(), started), running(hello('a'), sub(), sub('explicit-id')));
    expect(plan.work.filter((w) => w.kind === 'subOrchestration')).toEqual([
      { kind: 'subOrchestration', seq: 1, name: 'Child', instanceId: 'parent:1', input: '{"n":1}' },
      { kind: 'subOrchestration', seq: 2, name: 'Child', instanceId: 'explicit-id', input: '{"n":1}' },
    ]);
    const afterContinue = planEpisode(ctx(emptyBook(), started, T0, { generation: 2 }), running(sub()));
    expect(afterContinue.work[0]).toMatchObject({ instanceId: 'parent:2:0' });
  });

  it('fails the instance with the extension message when the orchestrator throws', () => {
    const book = applyBookDelta(emptyBook(), planEpisode(ctx(emptyBook(), started), running(hello('a'))).delta);
    const plan = planEpisode(ctx(book, completed(0, 'x')), { kind: 'failed', error: 'boom' });
    expect(plan.outcome).toEqual({ kind: 'failed', output: "Orchestrator function 'Orch' failed: boom" });
    expect(plan.appended).toEqual([
      expect.objectContaining({
        EventType: EventType.ExecutionCompleted,
        EventId: 1,
        OrchestrationStatus: OrchestrationStatus.Failed,
      }),
    ]);
  });

  it('fails on APIs the devhost does not emulate instead of hanging', () => {
    const plan = planEpisode(ctx(emptyBook(), started), running({ actionType: ActionType.CallHttp }));
    expect(plan.outcome.kind).toBe('failed');
    expect(plan.work).toEqual([]);
  });

  it('keeps the previous custom status when the SDK omits it, and serializes a new one', () => {
    expect(planEpisode(ctx(emptyBook(), started), running()).customStatus).toBeUndefined();
    const withStatus: OrchestratorCallResult = {
      kind: 'ok',
      state: { isDone: false, actions: [[]], customStatus: { stage: 1 }, schemaVersion: 2 },
    };
    expect(planEpisode(ctx(emptyBook(), started), withStatus).customStatus).toBe('{"stage":1}');
  });
});

describe('planEpisode: retries (DTFx RetryInterceptor)', () => {
  const retryAction: OrchestratorAction = {
    actionType: ActionType.CallActivityWithRetry,
    functionName: 'Flaky',
    input: JSON.stringify('k'),
    retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3, backoffCoefficient: 2 },
  };

  it('creates a retry timer after every failure, including a final dummy timer, and re-schedules in between', () => {
    let book = applyBookDelta(emptyBook(), planEpisode(ctx(emptyBook(), started), running(retryAction)).delta);

    // attempt 1 (id 0) fails → timer id 1 at +1s
    let plan = planEpisode(ctx(book, failed(0)), running(retryAction));
    expect(plan.appended).toEqual([
      expect.objectContaining({ EventType: EventType.TimerCreated, EventId: 1, FireAt: '2024-05-01T10:00:01.000Z' }),
    ]);
    book = applyBookDelta(book, plan.delta);

    // timer fires → attempt 2 gets id 2
    plan = planEpisode(
      ctx(book, fired(1, '2024-05-01T10:00:01.000Z'), '2024-05-01T10:00:01.000Z'),
      running(retryAction),
    );
    expect(plan.appended).toEqual([
      expect.objectContaining({ EventType: EventType.TaskScheduled, EventId: 2, Name: 'Flaky' }),
    ]);
    expect(plan.work).toEqual([{ kind: 'activity', seq: 2, name: 'Flaky', input: 'k' }]);
    book = applyBookDelta(book, plan.delta);

    // attempt 2 fails → timer id 3 at +2s (first × coefficient)
    plan = planEpisode(ctx(book, failed(2), '2024-05-01T10:00:01.000Z'), running(retryAction));
    expect(plan.appended[0]).toMatchObject({
      EventType: EventType.TimerCreated,
      EventId: 3,
      FireAt: '2024-05-01T10:00:03.000Z',
    });
    book = applyBookDelta(book, plan.delta);

    plan = planEpisode(
      ctx(book, fired(3, '2024-05-01T10:00:03.000Z'), '2024-05-01T10:00:03.000Z'),
      running(retryAction),
    );
    expect(plan.appended[0]).toMatchObject({ EventType: EventType.TaskScheduled, EventId: 4 });
    book = applyBookDelta(book, plan.delta);

    // the last attempt fails → still a (dummy) timer, +4s
    plan = planEpisode(ctx(book, failed(4), '2024-05-01T10:00:03.000Z'), running(retryAction));
    expect(plan.appended[0]).toMatchObject({
      EventType: EventType.TimerCreated,
      EventId: 5,
      FireAt: '2024-05-01T10:00:07.000Z',
    });
    book = applyBookDelta(book, plan.delta);

    // dummy timer fires → no new attempt; the SDK throws the last error now
    plan = planEpisode(
      ctx(book, fired(5, '2024-05-01T10:00:07.000Z'), '2024-05-01T10:00:07.000Z'),
      running(retryAction),
    );
    expect(plan.appended).toEqual([]);
    expect(plan.delta.nextSeq).toBe(6);
  });

  it('takes host-invented ids before the ids of actions new in the same episode', () => {
    const book = applyBookDelta(emptyBook(), planEpisode(ctx(emptyBook(), started), running(retryAction)).delta);
    const plan = planEpisode(ctx(book, failed(0)), running(retryAction, hello('later')));
    expect(plan.appended.map((e) => [e.EventType, e.EventId])).toEqual([
      [EventType.TimerCreated, 1],
      [EventType.TaskScheduled, 2],
    ]);
  });

  it('gives each attempt of a sub-orchestration without explicit id its own child id', () => {
    const subRetry: OrchestratorAction = {
      actionType: ActionType.CallSubOrchestratorWithRetry,
      functionName: 'Child',
      input: 5,
      retryOptions: { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 2 },
    };
    let book = applyBookDelta(emptyBook(), planEpisode(ctx(emptyBook(), started), running(subRetry)).delta);
    const childFailed = makeEvent(EventType.SubOrchestrationInstanceFailed, T0, {
      TaskScheduledId: 0,
      Reason: 'r',
      Details: 'd',
    });
    book = applyBookDelta(book, planEpisode(ctx(book, childFailed), running(subRetry)).delta);
    const plan = planEpisode(ctx(book, fired(1, '2024-05-01T10:00:00.010Z')), running(subRetry));
    expect(plan.work).toEqual([
      { kind: 'subOrchestration', seq: 2, name: 'Child', instanceId: 'parent:2', input: '5' },
    ]);
  });
});

describe('planEpisode: timers', () => {
  const DAY = 24 * 3600 * 1000;
  const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

  it('splits timers beyond the maximum short duration into 3-day segments (schema V3)', () => {
    const timer: OrchestratorAction = { actionType: ActionType.CreateTimer, fireAt: at(10 * DAY), isCanceled: false };
    let plan = planEpisode(ctx(emptyBook(), started), running(timer));
    expect(plan.work).toEqual([{ kind: 'timer', seq: 0, fireAt: at(3 * DAY) }]);
    let book = applyBookDelta(emptyBook(), plan.delta);

    plan = planEpisode(ctx(book, fired(0, at(3 * DAY)), at(3 * DAY)), running(timer));
    // 7 days remain (> 6): another 3-day segment, with the next id
    expect(plan.work).toEqual([{ kind: 'timer', seq: 1, fireAt: at(6 * DAY) }]);
    book = applyBookDelta(book, plan.delta);

    plan = planEpisode(ctx(book, fired(1, at(6 * DAY)), at(6 * DAY)), running(timer));
    // 4 days remain: the last segment fires at the final time
    expect(plan.work).toEqual([{ kind: 'timer', seq: 2, fireAt: at(10 * DAY) }]);
    book = applyBookDelta(book, plan.delta);

    plan = planEpisode(ctx(book, fired(2, at(10 * DAY)), at(10 * DAY)), running(timer));
    expect(plan.appended).toEqual([]);
  });

  it('disarms a timer once the orchestrator cancels it, and only once', () => {
    const timer: OrchestratorAction = { actionType: ActionType.CreateTimer, fireAt: at(60_000), isCanceled: false };
    const wait: OrchestratorAction = { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Go' };
    const any = { actionType: ActionType.WhenAny, compoundActions: [wait, timer] };
    let book = applyBookDelta(emptyBook(), planEpisode(ctx(emptyBook(), started), running(any)).delta);
    const raised = makeEvent(EventType.EventRaised, T0, { Name: 'Go', Input: '1' });
    const canceledAny = { ...any, compoundActions: [wait, { ...timer, isCanceled: true }] };
    const plan = planEpisode(ctx(book, raised), running(canceledAny, hello('after')));
    expect(plan.canceled).toEqual([0]);
    expect(plan.appended.map((e) => e.EventId)).toEqual([1]);
    book = applyBookDelta(book, plan.delta);
    expect(book.canceledTimers).toEqual([0]);
    const again = planEpisode(ctx(book, completed(1, 'x')), running(canceledAny, hello('after')));
    expect(again.canceled).toEqual([]);
  });
});
