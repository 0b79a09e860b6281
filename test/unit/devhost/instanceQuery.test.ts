import { parseInstanceQuery, parseRuntimeStatuses, queryInstances } from '../../../tools/devhost/durable/instanceQuery';
import { RuntimeStatus } from '../../../tools/devhost/durable/historyEvents';
import { InstanceSummary } from '../../../tools/devhost/durable/statusPayload';

function summary(instanceId: string, minute: number, status: RuntimeStatus): InstanceSummary {
  const created = `2024-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    instanceId,
    name: 'Orch',
    status,
    createdTime: created,
    lastUpdatedTime: created,
    input: null,
    output: null,
    customStatus: null,
  };
}

const all = [
  summary('b-2', 2, 'Completed'),
  summary('a-1', 1, 'Running'),
  summary('a-3', 3, 'Failed'),
  summary('b-4', 4, 'Completed'),
  summary('a-5', 5, 'Pending'),
];

describe('instance queries', () => {
  it('filters by created time, status list and id prefix', () => {
    const params = new URLSearchParams(
      'createdTimeFrom=2024-01-01T00:02:00Z&createdTimeTo=2024-01-01T00:05:00Z&runtimeStatus=Completed,Failed',
    );
    expect(queryInstances(all, parseInstanceQuery(params, undefined)).page.map((s) => s.instanceId)).toEqual([
      'b-2',
      'a-3',
      'b-4',
    ]);
    const prefix = parseInstanceQuery(new URLSearchParams('instanceIdPrefix=a-'), undefined);
    expect(queryInstances(all, prefix).page.map((s) => s.instanceId)).toEqual(['a-1', 'a-3', 'a-5']);
  });

  it('pages with continuation tokens until the token is empty', () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const result = queryInstances(all, parseInstanceQuery(new URLSearchParams('top=2'), token));
      seen.push(...result.page.map((s) => s.instanceId));
      token = result.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(['a-1', 'b-2', 'a-3', 'b-4', 'a-5']);
  });

  it('defaults the page size to 100 and ignores unknown statuses and bad dates', () => {
    const query = parseInstanceQuery(new URLSearchParams('runtimeStatus=Nope&createdTimeFrom=yesterday'), undefined);
    expect(query).toMatchObject({ top: 100, runtimeStatus: undefined, createdTimeFrom: undefined });
    expect(parseRuntimeStatuses(['running', '1'])).toEqual(['Running', 'Completed']);
  });
});
