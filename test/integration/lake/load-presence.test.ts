/**
 * The RU budget's presence blobs (src/cosmos/load-presence.ts) on the local blob service: processes running loads of
 * one migration see each other's counts, and one that says it runs none any more drops out.
 */
import { createLakeContainerClient } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { lakeLoadPresence } from '../../../src/cosmos/load-presence';
import { useLocalStack } from '../../support/stack';

const stack = useLocalStack({ quiet: true, applyEnv: true });

test('two processes count the loads of both; a process that ends drops out; another run is not counted', async () => {
  const lake = createLakeContainerClient(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
  await lake.createIfNotExists();
  const folder = 'bucket/exports/_migration/db/orders';
  const first = lakeLoadPresence(lake, folder, 'run-1', 'process-a');
  const second = lakeLoadPresence(lake, folder, 'run-1', 'process-b');
  const otherRun = lakeLoadPresence(lake, folder, 'run-2', 'process-c');
  expect(await first.publish(3)).toBe(3);
  expect(await second.publish(2)).toBe(5);
  expect(await otherRun.publish(7)).toBe(7);
  expect(await first.publish(4)).toBe(6);
  expect(await second.publish(0)).toBeUndefined();
  expect(await first.publish(4)).toBe(4);
});
