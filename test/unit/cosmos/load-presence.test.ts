import { countLoads, presenceFolder, STALE_MS } from '../../../src/cosmos/load-presence';

describe('load presence', () => {
  test('counts the loads of every process whose blob the service saw rewritten lately', () => {
    const at = (ms: number) => new Date(1_000_000 + ms);
    expect(
      countLoads([
        { lastModified: at(0), leases: 3 },
        { lastModified: at(-1000), leases: 2 },
        // A process that died without saying so: its blob is older than the others by more than STALE_MS.
        { lastModified: at(-STALE_MS - 1), leases: 5 },
        // Metadata that is not a count is no count.
        { lastModified: at(0), leases: NaN },
      ]),
    ).toBe(5);
  });

  test('freshness is judged against the newest blob, not this machine’s clock', () => {
    const long = new Date(0);
    expect(countLoads([{ lastModified: long, leases: 4 }])).toBe(4);
  });

  test('the run id is hashed into the folder: a name is data, never a path', () => {
    const folder = presenceFolder('bucket/exports/_migration/db/orders', '../../other run');
    expect(folder).toMatch(/^bucket\/exports\/_migration\/db\/orders\/ru-presence\/[0-9a-f]{24}\/$/);
    expect(presenceFolder('f', 'a')).not.toBe(presenceFolder('f', 'b'));
  });
});
