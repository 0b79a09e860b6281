/**
 * Drives the real durable-functions orchestrator handler with histories built by the devhost's pure
 * pieces (trigger builder + planEpisode), one delivered event per episode, on a virtual clock. If the
 * host's sequence-id bookkeeping disagreed with the SDK's numbering, these orchestrations would hang or
 * receive the wrong results. The simulator itself is shared with the orchestrator tests (test/support/replay.ts).
 */
import * as df from 'durable-functions';
import { EventType } from '../../../tools/devhost/durable/historyEvents';
import { parsedOutput, simulate } from '../../support/replay';

describe('devhost bookkeeping against the real durable-functions SDK', () => {
  it('fans out and in', async () => {
    const result = await simulate(
      function* (context) {
        const cities = context.df.getInput<string[]>();
        const greetings = (yield context.df.Task.all(
          cities.map((c) => context.df.callActivity('Hello', c)),
        )) as string[];
        const last = (yield context.df.callActivity('Hello', 'London')) as string;
        return [...greetings, last];
      },
      ['Tokyo', 'Seattle', 'Cairo'],
      { Hello: (name) => `Hello ${String(name)}` },
    );
    expect(result.outcome).toBe('completed');
    expect(parsedOutput(result)).toEqual(['Hello Tokyo', 'Hello Seattle', 'Hello Cairo', 'Hello London']);
  });

  it('retries interleaved with other work and succeeds on the third attempt', async () => {
    let attempts = 0;
    const result = await simulate(
      function* (context) {
        const retry = new df.RetryOptions(1000, 5);
        retry.backoffCoefficient = 2;
        const flaky = context.df.callActivityWithRetry('Flaky', retry, 'k');
        const other = context.df.callActivity('Hello', 'side');
        const [a, b] = (yield context.df.Task.all([flaky, other])) as unknown[];
        const after = (yield context.df.callActivity('Hello', 'after')) as string;
        return { a, b, after };
      },
      null,
      {
        Flaky: () => {
          attempts++;
          if (attempts < 3) throw new Error(`fail ${attempts}`);
          return attempts;
        },
        Hello: (name) => `Hello ${String(name)}`,
      },
    );
    expect(result.outcome).toBe('completed');
    expect(parsedOutput(result)).toEqual({ a: 3, b: 'Hello side', after: 'Hello after' });
    const timerGaps = result.history
      .filter((e) => e.EventType === EventType.TimerCreated)
      .map((e) => Date.parse(e.FireAt ?? '') - Date.parse(e.Timestamp));
    expect(timerGaps).toEqual([1000, 2000]);
  });

  it('surfaces the last error after the final (dummy) retry timer, and the orchestrator can go on', async () => {
    const result = await simulate(
      function* (context) {
        try {
          yield context.df.callActivityWithRetry('Broken', new df.RetryOptions(500, 2), 1);
          return 'unexpected';
        } catch (err) {
          const next = (yield context.df.callActivity('Hello', 'recovered')) as string;
          return { caught: (err as Error).message.split(' \n ')[0], next };
        }
      },
      null,
      {
        Broken: () => {
          throw new Error('always');
        },
        Hello: (name) => `Hello ${String(name)}`,
      },
    );
    expect(parsedOutput(result)).toEqual({
      caught: "Activity function 'Broken' failed: always",
      next: 'Hello recovered',
    });
    expect(result.history.filter((e) => e.EventType === EventType.TimerCreated)).toHaveLength(2);
  });

  it('splits a long timer into segments the SDK agrees with', async () => {
    const result = await simulate(
      function* (context) {
        const start = context.df.currentUtcDateTime.getTime();
        yield context.df.createTimer(new Date(start + 10_500));
        const greeting = (yield context.df.callActivity('Hello', 'late')) as string;
        return { waited: context.df.currentUtcDateTime.getTime() - start, greeting };
      },
      null,
      { Hello: (name) => `Hello ${String(name)}` },
      { limits: { maximumShortTimerDuration: '0.00:00:03', longRunningTimerIntervalDuration: '0.00:00:02' } },
    );
    expect(result.outcome).toBe('completed');
    const output = parsedOutput(result) as { waited: number; greeting: string };
    expect(output.greeting).toBe('Hello late');
    expect(output.waited).toBeGreaterThanOrEqual(10_500);
    expect(result.history.filter((e) => e.EventType === EventType.TimerCreated).length).toBeGreaterThan(2);
  });

  it('cancels the losing timer of Task.any and completes without waiting for it', async () => {
    const result = await simulate(
      function* (context) {
        const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
        const approval = context.df.waitForExternalEvent('Approval');
        const winner = (yield context.df.Task.any([approval, timeout])) as unknown;
        if (winner === approval) timeout.cancel();
        const done = (yield context.df.callActivity('Hello', 'approved')) as string;
        return { approved: winner === approval, data: approval.result as unknown, done };
      },
      null,
      { Hello: (name) => `Hello ${String(name)}` },
      { events: [{ afterEpisode: 1, name: 'Approval', data: { by: 'ann' } }] },
    );
    expect(parsedOutput(result)).toEqual({ approved: true, data: { by: 'ann' }, done: 'Hello approved' });
    expect(result.history.some((e) => e.EventType === EventType.TimerFired)).toBe(false);
  });

  it('fails with the extension message when the orchestrator throws', async () => {
    const result = await simulate(
      // eslint-disable-next-line require-yield
      function* () {
        throw new Error('bad input');
      },
      null,
      {},
    );
    expect(result.outcome).toBe('failed');
    expect(result.output).toBe("Orchestrator function 'Sim' failed: bad input");
  });
});
