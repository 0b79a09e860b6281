import { Command } from 'commander';
import { addTargetOptions, targetParts } from '../../../src/cli/target-options';

function parts(args: string[]): Record<string, any> {
  const command = addTargetOptions(new Command('start').exitOverride());
  command.parse(['--database', 'app', '--container', 'c', ...args], { from: 'user' });
  return targetParts(command.opts()) as Record<string, any>;
}

describe('--hierarchical: the default hierarchical key of docs/mapping.md §4', () => {
  test.each<[string[], string[]]>([
    [
      ['--partition-key', 'pk', '--sort-key', 'sk'],
      ['/pk', '/sk'],
    ],
    [
      ['--partition-key', 'pk', '--sort-key', 'id'],
      ['/pk', '/_ddb_id'],
    ],
    [
      ['--partition-key', 'id', '--sort-key', 'sk'],
      ['/_ddb_id', '/sk'],
    ],
    [
      ['--partition-key', '_ts', '--sort-key', 'sk'],
      ['/_ddb__ts', '/sk'],
    ],
  ])('%j', (args, paths) => {
    expect(parts([...args, '--hierarchical']).target.partitionKeyPath).toEqual(paths);
  });

  test('without it the app chooses the default path', () => {
    expect(parts(['--partition-key', 'id', '--sort-key', 'sk']).target).toEqual({ database: 'app', container: 'c' });
  });

  test('needs a sort key', () => {
    expect(() => parts(['--partition-key', 'pk', '--hierarchical'])).toThrow(/--hierarchical needs --sort-key/);
  });
});
