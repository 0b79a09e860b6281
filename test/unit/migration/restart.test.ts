/**
 * Whether a migration may start again under its id: refused while its last run is active, and while children of
 * any of its runs still run (Durable does not stop a terminated orchestration's sub-orchestrations).
 */
import { childInstanceId, childInstancePrefix } from '../../../src/migration/instance-id';
import { activeChildren, childrenRunningAnswer, NAMED_CHILDREN, startDecision } from '../../../src/migration/restart';

const ID = 'migrate-0123456789abcdef0123456789abcdef';
const OLD_RUN = new Date('2026-12-02T06:50:33.123Z');
const lane = (n: number, runtimeStatus: string, at = OLD_RUN) => ({
  instanceId: childInstanceId(ID, at, `lane-${n}`),
  runtimeStatus,
});

describe('startDecision', () => {
  test('nothing ever ran, or everything ended: start', () => {
    expect(startDecision(ID, undefined, [])).toEqual({ start: true });
    for (const ended of ['Completed', 'Failed', 'Terminated', 'Canceled']) {
      expect(startDecision(ID, ended, [lane(0, 'Completed'), lane(1, 'Failed'), lane(2, 'Terminated')])).toEqual({
        start: true,
      });
    }
  });

  test('the migration itself still runs: refused as running, whatever its children do', () => {
    for (const active of ['Running', 'Pending', 'Suspended', 'ContinuedAsNew']) {
      expect(startDecision(ID, active, [])).toEqual({ start: false, reason: 'running', runtimeStatus: active });
    }
  });

  test('a terminated run whose children still run: refused, naming exactly the children that have not ended', () => {
    const decision = startDecision(ID, 'Terminated', [
      lane(0, 'Running'),
      lane(1, 'Completed'),
      lane(2, 'Pending'),
      lane(3, 'Suspended'),
      lane(4, 'Terminated'),
    ]);
    expect(decision).toEqual({
      start: false,
      reason: 'children-running',
      children: [lane(0, 'Running'), lane(2, 'Pending'), lane(3, 'Suspended')],
    });
  });

  test("children of any earlier run count, including the batch ids of runs before run stamps; another migration's do not", () => {
    const older = { instanceId: `${ID}:batch-3`, runtimeStatus: 'Running' };
    const otherMigration = { instanceId: `${ID.slice(0, -1)}0:x:lane-0`, runtimeStatus: 'Running' };
    const longerId = { instanceId: `${ID}0:x:lane-0`, runtimeStatus: 'Running' };
    expect(activeChildren(ID, [older, otherMigration, longerId])).toEqual([older]);
    expect(childInstancePrefix(ID)).toBe(`${ID}:`);
  });
});

describe('childrenRunningAnswer', () => {
  test('names the children with their status and says how to stop them', () => {
    const answer = childrenRunningAnswer(ID, [lane(0, 'Running'), lane(2, 'Pending')], false);
    expect(answer).toEqual({
      error: expect.stringContaining(
        `${lane(0, 'Running').instanceId} Running, ${lane(2, 'Pending').instanceId} Pending`,
      ),
      instanceId: ID,
      runningChildren: [lane(0, 'Running'), lane(2, 'Pending')],
      moreChildren: false,
      stop: { method: 'POST', url: `/api/migrations/${ID}/terminate`, cli: `ddb2cosmos stop ${ID}` },
    });
    expect(answer.error).toMatch(
      /^the previous run of migrate-\w+ has ended, but 2 of its child orchestrations still run/,
    );
    expect(answer.error).toContain(`POST /api/migrations/${ID}/terminate (ddb2cosmos stop ${ID})`);
  });

  test('many children: the first ones are named, and the answer says there are more', () => {
    const many = Array.from({ length: NAMED_CHILDREN + 5 }, (_, n) => lane(n, 'Running'));
    const answer = childrenRunningAnswer(ID, many, false);
    expect(answer.runningChildren).toHaveLength(NAMED_CHILDREN);
    expect(answer.moreChildren).toBe(true);
    expect(answer.error).toContain(`${NAMED_CHILDREN + 5} of its child orchestrations`);
    expect(answer.error).toContain(', …)');
    expect(childrenRunningAnswer(ID, [lane(0, 'Running')], true).error).toContain('1+ of its child orchestrations');
  });
});
