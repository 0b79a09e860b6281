/**
 * The instance sizing rule (docs/scale.md, "Sizing an instance"): one instance running its maximum of concurrent
 * activities (host.json `maxConcurrentActivityFunctions`) stays under 75% of its memory (infra/ `instanceMemoryMB`)
 * by the measured memory per activity; and infra/ deploys a Node.js that Flex Consumption runs and that is still
 * supported. A change to host.json, the Bicep or the measured figures without the others fails here.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Of the instance memory, what the worker process may use at its peak; the rest is the Functions host's and slack. */
const MAX_SHARE = 0.75;
/** Instance memory sizes Flex Consumption offers (docs/scale.md cites the plan's documentation). */
const FLEX_MEMORY_MB = [512, 2048, 4096];
/**
 * Node.js versions Flex Consumption runs (docs/scale.md cites the plan's "Supported language stack versions") and
 * the end of each one's support by the Node.js project.
 */
const FLEX_NODE_END_OF_LIFE: Record<string, string> = { '20': '2026-04-30', '22': '2027-04-30' };

interface Figures {
  baseMB: number;
  perLoadMB: number;
  perCopyMB: number;
}

/** The figures the sizing section of docs/scale.md gives, from its table. */
function documentedFigures(): Figures {
  const doc = read('docs/scale.md');
  const figure = (label: string): number => {
    const match = new RegExp(`^\\| ${label} \\| ([\\d,]+) MB \\|`, 'm').exec(doc);
    if (!match) throw new Error(`docs/scale.md has no row "| ${label} | <n> MB |" in its sizing table`);
    return Number(match[1].replace(/,/g, ''));
  };
  return {
    baseMB: figure('fixed base of the worker process'),
    perLoadMB: figure('each concurrent load'),
    perCopyMB: figure('each concurrent streamed copy'),
  };
}

/** The figures of the last instance-memory bench run here, if any (bench/results.json is not committed). */
function measuredFigures(): Figures | undefined {
  if (!fs.existsSync(path.join(ROOT, 'bench/results.json'))) return undefined;
  const results = JSON.parse(read('bench/results.json')) as { instanceMemory?: Partial<Figures> };
  const measured = results.instanceMemory;
  if (!measured?.baseMB || !measured.perLoadMB || !measured.perCopyMB) return undefined;
  return { baseMB: measured.baseMB, perLoadMB: measured.perLoadMB, perCopyMB: measured.perCopyMB };
}

function activityConcurrency(): number {
  const host = JSON.parse(read('host.json')) as { extensions: { durableTask: Record<string, unknown> } };
  return host.extensions.durableTask.maxConcurrentActivityFunctions as number;
}

/** The default of `param <name> int = <n>` in a Bicep file, with the values its @allowed list gives. */
function intParam(file: string, name: string): { value: number; allowed?: number[] } {
  const text = read(file);
  const match = new RegExp(`((?:@allowed\\(\\[[^\\]]*\\]\\)\\s*)?)param ${name} int = (\\d+)`).exec(text);
  if (!match) throw new Error(`${file} has no "param ${name} int = <n>"`);
  const allowed = match[1] ? (match[1].match(/\d+/g) ?? []).map(Number) : undefined;
  return { value: Number(match[2]), allowed };
}

const peakOf = (figures: Figures, concurrency: number) =>
  figures.baseMB + concurrency * Math.max(figures.perLoadMB, figures.perCopyMB);

describe('one instance at its maximum of concurrent activities stays under 75% of its memory', () => {
  const concurrency = activityConcurrency();
  const memory = intParam('infra/main.bicep', 'instanceMemoryMB');

  test('main.bicep and the function app module default to the same instance memory, one Flex Consumption offers', () => {
    expect(intParam('infra/modules/function-app.bicep', 'instanceMemoryMB').value).toBe(memory.value);
    expect(FLEX_MEMORY_MB).toContain(memory.value);
    expect(memory.allowed).toEqual(FLEX_MEMORY_MB);
  });

  // On failure: maxConcurrentActivityFunctions = floor((0.75 × instanceMemoryMB − base) ÷ per activity), or a larger
  // instance; then the settings table of docs/scale.md, "Sizing an instance".
  test('by the figures docs/scale.md gives', () => {
    expect(peakOf(documentedFigures(), concurrency)).toBeLessThanOrEqual(MAX_SHARE * memory.value);
  });

  test('by the figures the bench last recorded (bench/results.json instanceMemory), when there are some', () => {
    const figures = measuredFigures();
    if (!figures) return;
    expect(peakOf(figures, concurrency)).toBeLessThanOrEqual(MAX_SHARE * memory.value);
  });

  test('docs/scale.md states the concurrency and instance memory that are deployed', () => {
    const doc = read('docs/scale.md');
    expect(doc).toMatch(new RegExp(`\`maxConcurrentActivityFunctions\` \\| ${concurrency} \\|`));
    expect(doc).toMatch(new RegExp(`\`instanceMemoryMB\` \\| ${memory.value.toLocaleString('en-US')} MB \\|`));
  });
});

describe('infra/ deploys a supported Node.js', () => {
  const deployed = /runtimeVersion: '(\d+)'/.exec(read('infra/main.bicep'))?.[1];
  const moduleDefault = /param runtimeVersion string = '(\d+)'/.exec(read('infra/modules/function-app.bicep'))?.[1];

  test('one Flex Consumption runs, the same in main.bicep and the module', () => {
    expect(Object.keys(FLEX_NODE_END_OF_LIFE)).toContain(deployed);
    expect(moduleDefault).toBe(deployed);
  });

  test('not past its end of life', () => {
    const endOfLife = FLEX_NODE_END_OF_LIFE[deployed ?? ''];
    const today = new Date().toISOString().slice(0, 10);
    // On failure: deploy the next LTS Flex Consumption runs (runtimeVersion in infra/), and add it above.
    expect({ node: deployed, supported: today < endOfLife }).toEqual({ node: deployed, supported: true });
  });
});
