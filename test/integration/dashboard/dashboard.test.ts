/**
 * The operator page in a real browser: Debian's chromium driven by playwright-core (Playwright's own browser
 * download does not work on these machines), against the local stack, during a running migration and on a
 * synced table's ledger. Screenshots go to test-output/ (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { createCosmosClient, createS3Client } from '../../../src/clients/create-clients';
import { readSettings } from '../../../src/config/settings';
import { buildFullExport, md5Base64 } from '../../../tools/sample/build-export';
import { uploadExport } from '../../../tools/sample/upload-export';
import { rewriteManifests } from '../../faults/support/exports';
import { eventually, useAppHost } from '../../support/app-host';
import { useLocalStack } from '../../support/stack';
import { hoursAfter, TableChain } from '../../support/table-chain';

const OUTPUT = resolve(__dirname, '../../../test-output');
const KEY = `dashboard-${randomBytes(12).toString('hex')}`;
const stack = useLocalStack({ quiet: true, applyEnv: true });
const app = useAppHost(stack, { DEVHOST_FUNCTION_KEY: KEY });
const BUCKET = 'dashboard-exports';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let browser: BrowserContext;
let userDataDir: string;
const timings: Record<string, number> = {};

beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  userDataDir = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  writeFileSync(join(OUTPUT, 'dashboard-timings.json'), JSON.stringify(timings, null, 2) + '\n');
});

function s3() {
  return createS3Client(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
}

/**
 * The local Cosmos server charges and throttles like the service; a container made by the migration gets 400
 * RU/s, about 20 items a second. Made beforehand with more, the tests' own RU caps set the pace.
 */
async function container(id: string): Promise<void> {
  const cosmos = createCosmosClient(readSettings(stack.settings as unknown as NodeJS.ProcessEnv));
  const { database } = await cosmos.databases.createIfNotExists({ id: 'dashboard' });
  await database.containers.createIfNotExists({ id, partitionKey: { paths: ['/pk'] }, throughput: 10_000 });
}

/** The app's API as the CLI calls it: the key in the x-functions-key header. */
async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: { 'x-functions-key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A fresh page that fails the test on any script error or refused request, and records every URL it asks for. */
async function openPage(hash: string): Promise<{ page: Page; requested: string[]; problems: string[] }> {
  const page = await browser.newPage();
  const requested: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  await page.goto(`${app.url}/api/dashboard?code=${KEY}${hash}`);
  return { page, requested, problems };
}

async function attr(page: Page, testid: string, name = 'data-value'): Promise<string | null> {
  return page.locator(`[data-testid="${testid}"]`).first().getAttribute(name);
}

describe('GET /api/dashboard', () => {
  test('needs the function key; its assets are served from the app itself', async () => {
    expect((await fetch(`${app.url}/api/dashboard`)).status).toBe(401);
    const page = await fetch(`${app.url}/api/dashboard?code=${KEY}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).not.toContain(KEY);
    for (const asset of ['app.js', 'chart.umd.min.js', 'dashboard.css']) {
      const response = await fetch(`${app.url}/api/dashboard/assets/${asset}`);
      expect(response.status).toBe(200);
      const etag = response.headers.get('etag') ?? '';
      expect(
        (await fetch(`${app.url}/api/dashboard/assets/${asset}`, { headers: { 'if-none-match': etag } })).status,
      ).toBe(304);
    }
    expect((await fetch(`${app.url}/api/dashboard/assets/..%2Fhttp%2Fdashboard.ts`)).status).toBe(404);
    expect((await fetch(`${app.url}/api/dashboard/assets/index.html`)).status).toBe(404);
  });
});

describe('a migration watched from the page while it runs', () => {
  // Six files (one of them empty) of 600 items, one file at a time under an RU cap: the page sees it mid-run.
  const generated = buildFullExport({ prefix: 'exports/watched', itemCount: 3000, fileCount: 5, seed: 5 });
  // The second data file's listed checksum is wrong: it fails with CHECKSUM_MISMATCH and the rest go on.
  const broken = generated.files[1];
  broken.md5Checksum = md5Base64('not these bytes');
  rewriteManifests(generated);
  let instanceId = '';

  beforeAll(async () => {
    await uploadExport(s3(), BUCKET, generated);
    await container('watched');
  }, 120_000);

  test('shows the status API’s numbers, a chart, the failed file’s code, then the validation', async () => {
    const started = await api('POST', '/api/migrations', {
      source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: 'dashboard', container: 'watched' },
      options: { sampleSize: 300, maxParallelFiles: 1, maxRequestUnitsPerSecond: 2000 },
    });
    expect(started.status).toBe(202);
    instanceId = started.body.id;

    const opened = Date.now();
    const { page, requested, problems } = await openPage(`#/migrations/${instanceId}`);
    await page.waitForSelector('[data-testid="migration-view"][data-updated-at]:not([data-updated-at=""])');
    // From asking for the page to its first numbers on screen; and the browser's own navigation timings.
    timings.migrationPageFirstDataMs = Date.now() - opened;
    Object.assign(
      timings,
      await page.evaluate(() => {
        const entry = (globalThis as any).performance.getEntriesByType('navigation')[0];
        return {
          domContentLoadedMs: Math.round(entry.domContentLoadedEventEnd),
          loadEventMs: Math.round(entry.loadEventEnd),
        };
      }),
    );

    // Mid-run: files loaded and the bad one failed, while the migration still loads the rest.
    await page.waitForFunction(
      () => {
        const value = (id: string) =>
          (globalThis as any).document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value');
        return value('phase') === 'loading' && Number(value('files-loaded')) >= 2 && Number(value('files-failed')) >= 1;
      },
      undefined,
      { timeout: 180_000, polling: 250 },
    );

    // The page's numbers are the status API's: compare them at one and the same update of the custom status.
    const compared = await eventually(
      async () => {
        const status = (await api('GET', `/api/migrations/${instanceId}`)).body;
        const shown = await page.locator('[data-testid="migration-view"]').getAttribute('data-updated-at');
        if (status.runtimeStatus !== 'Running' || shown !== status.progress?.updatedAt) return undefined;
        const values = await page.evaluate(() =>
          Object.fromEntries(
            [
              'phase',
              'items-written',
              'items-expected',
              'files-loaded',
              'files-total',
              'files-failed',
              'items-per-second',
              'ru-per-second',
              'eta',
              'dead-letters',
            ].map((id) => [
              id,
              (globalThis as any).document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-value') ?? null,
            ]),
          ),
        );
        const again = await page.locator('[data-testid="migration-view"]').getAttribute('data-updated-at');
        return again === shown ? { status, values } : undefined;
      },
      60_000,
      'the page and the API to show the same update',
    );
    const p = compared.status.progress;
    expect(compared.values).toEqual({
      phase: p.phase,
      'items-written': String(p.items.written),
      'items-expected': String(p.items.expected),
      'files-loaded': String(p.files.loaded),
      'files-total': String(p.files.total),
      'files-failed': String(p.files.failed),
      'items-per-second': String(p.itemsPerSecond),
      'ru-per-second': String(p.requestUnitsPerSecond),
      eta: p.etaSeconds === undefined ? '' : String(p.etaSeconds),
      'dead-letters': String(p.items.deadLettered),
    });
    expect(p.files.total).toBe(6);
    expect(p.samples.length).toBeGreaterThanOrEqual(2);
    expect(Number(await attr(page, 'throughput-chart', 'data-samples'))).toBeGreaterThanOrEqual(2);
    // The visible text says the same as the attributes.
    expect(await page.locator('[data-testid="items-written"]').textContent()).toBe(
      p.items.written.toLocaleString('en-US'),
    );

    // The failed file, with its code, in the grid and under the Failed tab.
    const failedRow = page.locator(`tr[data-file-index="${1}"]`);
    await failedRow.waitFor();
    expect(await failedRow.getAttribute('data-state')).toBe('failed');
    expect(await failedRow.locator('[data-testid="error-code"]').textContent()).toBe('CHECKSUM_MISMATCH');
    expect(await failedRow.locator('[data-testid="file-attempts"]').textContent()).toBe('1');
    expect(await failedRow.textContent()).toContain(broken.key.split('/').pop());
    const files = (await api('GET', `/api/migrations/${instanceId}/files?state=failed`)).body;
    expect(files.files.map((f: any) => [f.index, f.error.code])).toEqual([[1, 'CHECKSUM_MISMATCH']]);
    // The grid reads the lanes themselves; the status sums them at the migration's last poll, so it may lag behind.
    expect(files.totals.loaded).toBeGreaterThanOrEqual(p.files.loaded);
    // The run's own folder (src/lake/paths.ts runFolder): <migration folder>/runs/<start stamp>-<8 hex>/deadletter/.
    expect(await page.locator('[data-testid="dead-letter-folder"]').textContent()).toContain(
      `${generated.exportPrefix}/_migration/dashboard/watched/runs/`,
    );
    expect(await page.locator('[data-testid="dead-letter-folder"]').textContent()).toMatch(
      /\/runs\/\d{8}T\d{9}Z-[0-9a-f]{8}\/deadletter\/$/,
    );

    await page.screenshot({ path: join(OUTPUT, 'dashboard.png'), fullPage: true });
    await page.locator('[data-testid="files-tab-failed"]').click();
    await page.waitForSelector('[data-testid="files-tab-failed"][aria-selected="true"]');
    await page.waitForFunction(
      () => (globalThis as any).document.querySelectorAll('[data-testid="files-grid"] tbody tr').length === 1,
    );

    // Then it ends: the page shows the report's validation.
    const final = await eventually(
      async () => {
        const status = (await api('GET', `/api/migrations/${instanceId}`)).body;
        return status.runtimeStatus === 'Completed' ? status : undefined;
      },
      300_000,
      'the migration to end',
    );
    await page.waitForSelector('[data-testid="validation-result"]', { timeout: 30_000 });
    expect(await attr(page, 'validation-result')).toBe(String(final.output.validation.passed));
    expect(await attr(page, 'mismatched')).toBe(String(final.output.validation.mismatched));
    expect(await page.locator('[data-testid="runtime-status"]').textContent()).toBe('Completed');
    expect(await page.locator('#side-migrations a[data-instance]').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-done.png'), fullPage: true });

    // The key reached the server once, in the page's own URL; every API call carried it in a header instead.
    expect(requested.filter((url) => url.includes(KEY))).toEqual([
      `${app.url}/api/dashboard?code=${KEY}#/migrations/${instanceId}`.split('#')[0],
    ]);
    expect(requested.some((url) => url.includes(`/api/migrations/${instanceId}/files`))).toBe(true);
    expect(requested.every((url) => url.startsWith(app.url))).toBe(true);
    expect(readFileSync(app.logFile, 'utf8')).not.toContain(KEY);
    expect(problems).toEqual([]);
    await page.close();
  });

  test('GET /api/migrations lists it, paged by continuation token', async () => {
    const all = await api('GET', '/api/migrations');
    expect(all.status).toBe(200);
    expect(all.body.migrations.map((m: any) => m.instanceId)).toContain(instanceId);
    const mine = all.body.migrations.find((m: any) => m.instanceId === instanceId);
    expect(mine).toEqual(
      expect.objectContaining({
        runtimeStatus: 'Completed',
        startedBy: 'api',
        source: { bucket: BUCKET, exportPrefix: generated.exportPrefix },
        target: { database: 'dashboard', container: 'watched' },
      }),
    );
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const page: { status: number; body: any } = await api(
        'GET',
        `/api/migrations?top=1${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.body.migrations.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.migrations.map((m: any) => m.instanceId));
      token = page.body.continuationToken;
    } while (token);
    expect(seen.sort()).toEqual(all.body.migrations.map((m: any) => m.instanceId).sort());
    expect((await api('GET', '/api/migrations?runtimeStatus=Running')).body.migrations).toEqual([]);
    expect((await api('GET', '/api/migrations?top=0')).status).toBe(400);
    expect((await api('GET', '/api/migrations?continuationToken=nonsense')).status).toBe(400);
  });
});

describe("a synced table's ledger on the page", () => {
  test('shows the timeline, the point in time reached, the lag and the last verification', async () => {
    // Windows that end an hour or two before now, so the lag is real; the third incremental leaves a gap.
    const base = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 3_600_000).toISOString();
    const chain = new TableChain('exports/ledger', 300, 17);
    const exports = [
      chain.full(base, 2),
      chain.incremental(base),
      chain.incremental(hoursAfter(base, 1)),
      chain.incremental(hoursAfter(base, 3)),
    ];
    for (const generated of exports) await uploadExport(s3(), BUCKET, generated);
    await container('ledger');
    const put = await api('PUT', '/api/tables/ledger', {
      source: { bucket: BUCKET, exportsPrefix: 'exports/ledger' },
      keySchema: { partitionKey: 'pk', sortKey: 'sk' },
      target: { database: 'dashboard', container: 'ledger' },
      options: { sampleSize: 100 },
    });
    expect(put.status).toBe(201);
    expect((await api('POST', '/api/tables/ledger/sync')).status).toBe(202);
    const table = await eventually(
      async () => {
        const current = (await api('GET', '/api/tables/ledger')).body;
        const ended = current.sync?.runtimeStatus && !['Running', 'Pending'].includes(current.sync.runtimeStatus);
        return ended && current.ledger.exports.length === 4 ? current : undefined;
      },
      240_000,
      'the sync to end',
    );
    expect(table.ledger.reachedTime).toBe(hoursAfter(base, 2));

    const opened = Date.now();
    const { page, problems } = await openPage('#/tables/ledger');
    await page.waitForSelector('[data-testid="table-view"][data-reached-time]:not([data-reached-time=""])');
    timings.tablePageFirstDataMs = Date.now() - opened;
    expect(await attr(page, 'reached-time')).toBe(table.ledger.reachedTime);
    expect(await attr(page, 'sync-state')).toBe(table.ledger.status.state);
    expect(await attr(page, 'exports-applied')).toBe(
      String(table.ledger.exports.filter((e: any) => e.state === 'applied').length),
    );
    const lag = Number(await attr(page, 'lag'));
    expect(Math.abs(lag - (Date.now() - Date.parse(table.ledger.reachedTime)) / 1000)).toBeLessThan(30);
    expect(await attr(page, 'last-verification')).toBe('true');
    const marks = page.locator('[data-testid="ledger-timeline"] .tl-mark');
    expect(await marks.count()).toBe(4);
    expect((await marks.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).sort()).toEqual(
      table.ledger.exports.map((e: any) => e.state).sort(),
    );
    await page.screenshot({ path: join(OUTPUT, 'dashboard-table.png'), fullPage: true });

    // The overview lists both, and links to them.
    await page.click('a.brand');
    await page.waitForSelector('[data-testid="tables-grid"] a[href="#/tables/ledger"]');
    expect(await page.locator('[data-testid="migrations-grid"] tbody tr').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(OUTPUT, 'dashboard-overview.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
