/* global window */
import { api } from './api.js';
import { badge, h, kindOf, kpi, mount } from './dom.js';
import { bytes, clock, duration, num, percent, time, utc } from './format.js';

/**
 * One migration: phase, progress, throughput over time, files, dead letters and validation. The numbers come from
 * the status API (`GET /api/migrations/{id}`: the orchestration's custom status, or its report once done); the
 * grid from `GET /api/migrations/{id}/files`.
 */
const PHASES = [
  ['reading-manifest', 'Manifest'],
  ['preparing-target', 'Target'],
  ['loading', 'Copy & load'],
  ['validating', 'Validate'],
  ['reporting', 'Report'],
  ['done', 'Done'],
];
const FILTERS = [
  ['all', 'All', null],
  ['running', 'In progress', 'copying,loading,retrying'],
  ['failed', 'Failed', 'failed'],
  ['loaded', 'Loaded', 'loaded'],
  ['pending', 'Pending', 'pending'],
];
const FILES_EVERY_MS = 5000;
const PAGE = 200;

/**
 * Rates between consecutive samples ([seconds, items, RU], cumulative): the average over each interval, drawn as
 * a step from the interval's start to its end.
 */
export function ratesOf(samples) {
  const points = [];
  for (let i = 1; i < samples.length; i++) {
    const [t0, items0, ru0] = samples[i - 1];
    const [t1, items1, ru1] = samples[i];
    const dt = t1 - t0;
    if (dt <= 0) continue;
    const rate = { items: (items1 - items0) / dt, ru: (ru1 - ru0) / dt };
    points.push({ t: t0, ...rate }, { t: t1, ...rate });
  }
  return points;
}

export function migrationView(id) {
  const ui = {
    alert: h('div'),
    head: h('div.view-head'),
    phases: h('ol.phases', { 'aria-label': 'Phase' }),
    progress: h('div.progress-block'),
    kpis: h('div.kpis'),
    canvas: h('canvas', { 'aria-label': 'Items per second and request units per second over time', role: 'img' }),
    chartNote: h('div.chart-note'),
    chartLegend: h('div.chart-legend'),
    deadLetters: h('div'),
    validation: h('div'),
    report: h('div'),
    tabs: h('div.tabs', { role: 'tablist' }),
    grid: h('div.grid-wrap'),
    more: h('div.more'),
  };
  const element = h(
    'div.view',
    { dataset: { testid: 'migration-view', instance: id } },
    ui.alert,
    ui.head,
    ui.phases,
    ui.progress,
    ui.kpis,
    h(
      'div.columns',
      h(
        'section.panel.panel-chart',
        h('div.panel-head', h('h2', 'Throughput'), ui.chartLegend),
        h('div.chart-box', ui.canvas, ui.chartNote),
      ),
      h(
        'div.stack',
        h('section.panel', { dataset: { testid: 'dead-letter-panel' } }, h('h2', 'Dead letters'), ui.deadLetters),
        h('section.panel', { dataset: { testid: 'validation-panel' } }, h('h2', 'Validation'), ui.validation),
      ),
    ),
    h('section.panel.panel-files', h('div.panel-head', h('h2', 'Files'), ui.tabs), ui.grid, ui.more),
    ui.report,
  );

  let chart = null;
  let files = null;
  let filesAt = 0;
  let filesKey = '';
  let filter = 'all';
  let shown = PAGE;
  let last = null;

  async function loadFiles(status) {
    const key = JSON.stringify([status.lastUpdatedTime, status.runtimeStatus, filter, shown]);
    if (files && key === filesKey && Date.now() - filesAt < FILES_EVERY_MS) return;
    const states = FILTERS.find(([k]) => k === filter)[2];
    files = await api.files(id, { state: states ?? undefined, top: shown });
    filesKey = key;
    filesAt = Date.now();
  }

  async function update() {
    let status;
    if (files) {
      status = await api.migration(id);
      await loadFiles(status);
    } else {
      // The first look asks for both at once; later ones ask for the files when the status moved or every few seconds.
      [status] = await Promise.all([api.migration(id), loadFiles({})]);
    }
    last = status;
    render(status);
  }

  function render(status) {
    const p = status.progress || {};
    const report =
      status.runtimeStatus === 'Completed' && status.output && typeof status.output === 'object' ? status.output : null;
    const items = p.items || (report ? report.items : null) || {};
    const fileCounts = p.files || (report ? report.files : null) || {};
    element.dataset.updatedAt = p.updatedAt || '';
    element.dataset.runtimeStatus = status.runtimeStatus;

    // A failed orchestration: its one-line reason first.
    mount(
      ui.alert,
      status.runtimeStatus === 'Failed'
        ? h(
            'div.alert.alert-bad',
            { role: 'alert', dataset: { testid: 'failure' } },
            h('strong', 'Migration failed. '),
            String(status.output || 'no reason given'),
          )
        : null,
    );

    const target = files ? `${files.target.database}/${files.target.container}` : '…';
    const source = files ? `s3://${files.source.bucket}/${files.source.exportPrefix}` : '';
    mount(
      ui.head,
      h(
        'div',
        h('h1', h('span.muted', 'Migration into '), target),
        h(
          'div.sub',
          h('span.mono', source),
          h('span.sep', '→'),
          h('span', `Cosmos DB ${target}`),
          p.exportId ? [h('span.sep', '·'), h('span', 'export '), h('span.mono', p.exportId)] : null,
        ),
        h(
          'div.sub',
          h('span.mono', { title: 'Durable instance id' }, id),
          h('span.sep', '·'),
          `started ${time(status.createdTime)}`,
          h('span.sep', '·'),
          `updated ${time(p.updatedAt || status.lastUpdatedTime)}`,
        ),
      ),
      badge(status.runtimeStatus, kindOf(status.runtimeStatus), { dataset: { testid: 'runtime-status' } }),
    );

    // Phase stepper.
    const phaseIndex = PHASES.findIndex(([k]) => k === p.phase);
    const failed = status.runtimeStatus === 'Failed' || status.runtimeStatus === 'Terminated';
    mount(
      ui.phases,
      PHASES.map(([k, label], i) => {
        const stateClass =
          status.runtimeStatus === 'Completed' || i < phaseIndex
            ? 'done'
            : i === phaseIndex
              ? failed
                ? 'failed'
                : 'current'
              : 'todo';
        return h(`li.phase.phase-${stateClass}`, { dataset: { phase: k } }, h('span.phase-mark'), label);
      }),
    );
    ui.phases.dataset.testid = 'phases';
    ui.phases.dataset.value = p.phase || '';

    // Progress bar over items: settled, in failed files, still to go.
    const done = (items.written || 0) + (items.deleted || 0) + (items.deadLettered || 0);
    const expected = items.expected || 0;
    const inFailed = files ? files.itemsInFailedFiles || 0 : 0;
    const pct = status.runtimeStatus === 'Completed' && !expected ? 100 : percent(done, expected);
    const doneBar = h('div.bar-done');
    doneBar.style.width = `${pct}%`;
    const failedBar = h('div.bar-failed');
    failedBar.style.width = `${percent(inFailed, expected)}%`;
    mount(
      ui.progress,
      h(
        'div.progress-label',
        h('strong', { dataset: { testid: 'progress-percent', value: pct.toFixed(1) } }, `${pct.toFixed(1)}%`),
        h('span', ` ${num(done)} of ${num(expected)} items settled`),
        inFailed ? h('span.text-bad', ` · ${num(inFailed)} in failed files`) : null,
      ),
      h(
        'div.bar',
        {
          role: 'progressbar',
          'aria-valuemin': 0,
          'aria-valuemax': 100,
          'aria-valuenow': pct.toFixed(1),
          dataset: { testid: 'progress-bar' },
        },
        doneBar,
        failedBar,
      ),
    );

    // Key figures, each with its raw value for whoever reads the page by machine.
    const ended = status.runtimeStatus !== 'Running' && status.runtimeStatus !== 'Pending';
    const eta = ended
      ? status.runtimeStatus === 'Completed'
        ? 'done'
        : '–'
      : p.etaSeconds !== undefined && p.etaSeconds !== null
        ? duration(p.etaSeconds)
        : '–';
    const etaAt = ended
      ? report
        ? `took ${duration(report.durationMs / 1000)}`
        : status.runtimeStatus.toLowerCase()
      : typeof p.etaSeconds === 'number' && p.updatedAt
        ? `≈ ${time(new Date(new Date(p.updatedAt).getTime() + p.etaSeconds * 1000).toISOString())}`
        : 'after the first files finish';
    mount(
      ui.kpis,
      kpi('Phase', p.phase || status.runtimeStatus, { dataset: { testid: 'phase', value: p.phase || '' } }),
      kpi(
        'Items written',
        num(items.written),
        { dataset: { testid: 'items-written', value: items.written ?? '' } },
        h(
          'span',
          'of ',
          h('span', { dataset: { testid: 'items-expected', value: expected } }, num(expected)),
          ' expected',
        ),
      ),
      kpi(
        'Files loaded',
        h(
          'span',
          h('span', { dataset: { testid: 'files-loaded', value: fileCounts.loaded ?? '' } }, num(fileCounts.loaded)),
          h('span.muted', ' / '),
          h('span', { dataset: { testid: 'files-total', value: fileCounts.total ?? '' } }, num(fileCounts.total)),
        ),
        {},
        h(
          'span',
          { class: fileCounts.failed ? 'text-bad' : '' },
          h(
            'span',
            { dataset: { testid: 'files-failed', value: fileCounts.failed ?? 0 } },
            num(fileCounts.failed ?? 0),
          ),
          ' failed',
        ),
      ),
      kpi(
        'Items/s',
        num(p.itemsPerSecond),
        { dataset: { testid: 'items-per-second', value: p.itemsPerSecond ?? '' } },
        'average since start',
      ),
      kpi(
        'RU/s',
        num(p.requestUnitsPerSecond),
        { dataset: { testid: 'ru-per-second', value: p.requestUnitsPerSecond ?? '' } },
        p.ruCap && typeof p.ruCap.requestUnitsPerSecond === 'number'
          ? h(
              'span',
              { title: `${num(p.requestCharge)} RU in all; cap from ${p.ruCap.source}: ${p.ruCap.detail || ''}` },
              `cap ${num(p.ruCap.requestUnitsPerSecond)} RU/s`,
            )
          : `${num(p.requestCharge ?? (report && report.requestCharge))} RU in all`,
      ),
      kpi('ETA', eta, { dataset: { testid: 'eta', value: p.etaSeconds ?? '' } }, etaAt),
      kpi(
        'Dead letters',
        num(items.deadLettered ?? 0),
        {
          dataset: { testid: 'dead-letters', value: items.deadLettered ?? 0 },
          class: items.deadLettered ? 'text-warn' : '',
        },
        'items not written',
      ),
    );

    renderChart(p);
    renderDeadLetters(items);
    renderValidation(status, report);
    renderFiles();
    renderReport(report);
  }

  function renderChart(p) {
    const samples = Array.isArray(p.samples) ? p.samples : [];
    const points = ratesOf(samples);
    ui.canvas.dataset.samples = String(samples.length);
    ui.canvas.dataset.testid = 'throughput-chart';
    mount(
      ui.chartLegend,
      h('span.legend.legend-items', 'items/s'),
      h('span.legend.legend-ru', 'RU/s'),
      p.ruCap && typeof p.ruCap.requestUnitsPerSecond === 'number' ? h('span.legend.legend-cap', 'RU/s cap') : null,
      h('span.muted', `${samples.length} samples`),
    );
    mount(
      ui.chartNote,
      points.length === 0
        ? 'The chart fills in as files finish loading: one point at each look at the lanes (every 2 s).'
        : '',
    );
    const Chart = window.Chart;
    if (!Chart) return;
    const cap = p.ruCap && typeof p.ruCap.requestUnitsPerSecond === 'number' ? p.ruCap.requestUnitsPerSecond : null;
    const end = samples.length ? samples[samples.length - 1][0] : 0;
    const data = {
      datasets: [
        {
          label: 'items/s',
          data: points.map((q) => ({ x: q.t, y: Math.round(q.items) })),
          borderColor: '#58a6ff',
          backgroundColor: 'rgba(88,166,255,0.15)',
          fill: true,
          pointRadius: 0,
          pointHoverRadius: 3,
          borderWidth: 2,
          yAxisID: 'items',
        },
        {
          label: 'RU/s',
          data: points.map((q) => ({ x: q.t, y: Math.round(q.ru) })),
          borderColor: '#d29922',
          backgroundColor: 'rgba(210,153,34,0.1)',
          fill: false,
          pointRadius: 0,
          pointHoverRadius: 3,
          borderWidth: 2,
          borderDash: [5, 3],
          yAxisID: 'ru',
        },
        {
          label: 'RU/s cap',
          data:
            cap !== null && points.length
              ? [
                  { x: 0, y: cap },
                  { x: end, y: cap },
                ]
              : [],
          borderColor: 'rgba(248,81,73,0.7)',
          borderWidth: 1,
          borderDash: [2, 4],
          pointRadius: 0,
          fill: false,
          yAxisID: 'ru',
        },
      ],
    };
    if (chart) {
      data.datasets.forEach((dataset, i) => (chart.data.datasets[i].data = dataset.data));
      chart.update('none');
      return;
    }
    const grid = 'rgba(139,148,158,0.15)';
    const ticks = { color: '#8b949e', font: { size: 11 } };
    chart = new Chart(ui.canvas, {
      type: 'line',
      data,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => `t = ${clock(items[0].parsed.x)}` } },
        },
        scales: {
          x: {
            type: 'linear',
            min: 0,
            grid: { color: grid },
            ticks: { ...ticks, callback: (v) => clock(v), maxTicksLimit: 8 },
            title: { display: true, text: 'time since start', color: '#8b949e', font: { size: 11 } },
          },
          items: {
            position: 'left',
            beginAtZero: true,
            grid: { color: grid },
            ticks: { ...ticks, callback: (v) => num(v) },
            title: { display: true, text: 'items/s', color: '#58a6ff', font: { size: 11 } },
          },
          ru: {
            position: 'right',
            beginAtZero: true,
            grid: { drawOnChartArea: false },
            ticks: { ...ticks, callback: (v) => num(v) },
            title: { display: true, text: 'RU/s', color: '#d29922', font: { size: 11 } },
          },
        },
      },
    });
  }

  function renderDeadLetters(items) {
    const count = items.deadLettered ?? 0;
    const lake = files ? files.lake : null;
    const list = files ? files.deadLetters.list : [];
    mount(
      ui.deadLetters,
      h(
        'div.stat-line',
        h(
          'span.big',
          { class: count ? 'text-warn' : '', dataset: { testid: 'dead-letter-count', value: count } },
          num(count),
        ),
        h('span.muted', count === 1 ? ' item could not be written' : ' items could not be written'),
      ),
      lake && lake.deadLetters
        ? h(
            'div.where',
            h('span.label', 'Where'),
            h('code.path', { dataset: { testid: 'dead-letter-folder' } }, `${lake.container}/${lake.deadLetters}`),
            h('div.muted.small', 'One JSON line per item in the lake, with the reason, per data file.'),
          )
        : null,
      list.length
        ? h(
            'table.mini-table.dl-table',
            h('thead', h('tr', h('th', 'Blob'), h('th', 'From data file'), h('th.num', 'Items'))),
            h(
              'tbody',
              list.map((d) =>
                h(
                  'tr',
                  h('td.mono', { title: d.path }, d.path.split('/').pop()),
                  h('td.mono.small.ellipsis', { title: d.key }, `#${d.index} ${d.key.split('/').pop()}`),
                  h('td.num.text-warn', num(d.count)),
                ),
              ),
            ),
          )
        : null,
    );
  }

  function renderValidation(status, report) {
    const v = report ? report.validation : null;
    if (!v) {
      const phase = status.progress && status.progress.phase;
      mount(
        ui.validation,
        h(
          'div.muted',
          status.runtimeStatus === 'Failed'
            ? 'Not run: the migration failed.'
            : phase === 'validating'
              ? 'Running: counting documents and reading back the sample…'
              : 'Runs once every file is loaded: counts are reconciled and a sample of items is read back and compared.',
        ),
      );
      return;
    }
    mount(
      ui.validation,
      h(
        'div.stat-line',
        badge(v.passed ? 'Passed' : 'Failed', v.passed ? 'ok' : 'bad', {
          dataset: { testid: 'validation-result', value: String(v.passed) },
        }),
        h('span.muted', ` ${num(v.sampled)} sampled · `),
        h(
          'span',
          { class: v.mismatched ? 'text-bad' : '', dataset: { testid: 'mismatched', value: v.mismatched } },
          `${num(v.mismatched)} mismatched`,
        ),
      ),
      h(
        'div.small',
        badge(v.countsReconciled ? 'counts reconciled' : 'counts differ', v.countsReconciled ? 'ok' : 'bad'),
        ' ',
        h('span.muted', v.countsDetail),
      ),
      v.mismatches && v.mismatches.length
        ? h(
            'table.mini-table',
            h('thead', h('tr', h('th', 'Item id'), h('th', 'File:line'), h('th', 'Difference'))),
            h(
              'tbody',
              v.mismatches.slice(0, 20).map((m) =>
                h(
                  'tr',
                  h('td.mono', m.id),
                  h('td.mono.small', { title: m.file }, `${m.file.split('/').pop()}:${m.line}`),
                  h(
                    'td.small',
                    m.reason,
                    (m.differences || [])
                      .slice(0, 3)
                      .map((d) =>
                        h('div.mono', `${d.path}: ${JSON.stringify(d.expected)} → ${JSON.stringify(d.actual)}`),
                      ),
                  ),
                ),
              ),
            ),
          )
        : null,
    );
  }

  function renderFiles() {
    if (!files) return;
    const t = files.totals;
    const counts = {
      all: t.total,
      running: t.copying + t.loading + t.retrying,
      failed: t.failed,
      loaded: t.loaded,
      pending: t.pending,
    };
    mount(
      ui.tabs,
      FILTERS.map(([k, label]) =>
        h(
          `button.tab${k === filter ? '.tab-active' : ''}`,
          {
            type: 'button',
            role: 'tab',
            'aria-selected': String(k === filter),
            dataset: { filter: k, testid: `files-tab-${k}` },
            onclick: () => {
              filter = k;
              shown = PAGE;
              filesKey = '';
              void update();
            },
          },
          label,
          h(`span.tab-count${k === 'failed' && counts.failed ? '.tab-count-bad' : ''}`, num(counts[k])),
        ),
      ),
    );
    if (!files.manifestKnown && files.files.length === 0) {
      mount(ui.grid, h('div.muted.pad', 'The manifest has not been read yet.'));
      mount(ui.more);
      return;
    }
    mount(
      ui.grid,
      h(
        'table.grid',
        { dataset: { testid: 'files-grid' } },
        h(
          'thead',
          h(
            'tr',
            h('th.num', '#'),
            h('th', 'Data file'),
            h('th', 'State'),
            h('th.num', 'Items'),
            h('th.num', { title: 'Tries of the step the file is at (copy, else load)' }, 'Attempts'),
            h('th.num', 'RU'),
            h('th.num', 'Dead letters'),
            h('th', 'Error'),
          ),
        ),
        h(
          'tbody',
          files.files.length === 0
            ? h('tr', h('td.muted.pad', { colspan: 8 }, 'No files in this state.'))
            : files.files.map(fileRow),
        ),
      ),
    );
    mount(
      ui.more,
      files.nextOffset !== null
        ? h(
            'button.btn',
            {
              type: 'button',
              onclick: () => {
                shown += PAGE;
                filesKey = '';
                void update();
              },
            },
            `Show ${PAGE} more`,
          )
        : null,
    );
  }

  /** An error about this file, with the file's full S3 location cut to its name (the row names it already). */
  function shortMessage(message, key, name) {
    const bucket = files ? files.source.bucket : '';
    return message
      .replace(/^\[[A-Z_]+\]\s*/, '')
      .split(`s3://${bucket}/${key}`)
      .join(name)
      .split(key)
      .join(name);
  }

  function fileRow(f) {
    const name = f.key.split('/').pop();
    const written = f.items ? f.items.written + f.items.deleted : null;
    const runs = f.runs ? `copy ${f.runs.copy} · load ${f.runs.load}` : '';
    return h(
      `tr.row-${kindOf(f.state)}`,
      { dataset: { fileIndex: f.index, state: f.state } },
      h('td.num.muted', f.index),
      h('td.file', { title: f.key }, h('span.mono', name)),
      h('td', badge(f.state, kindOf(f.state), { dataset: { testid: 'file-state' } })),
      h(
        'td.num',
        { title: f.live ? 'so far, from the load’s last checkpoint' : '' },
        written === null ? h('span.muted', `– / ${num(f.itemCount)}`) : `${num(written)} / ${num(f.itemCount)}`,
        f.live ? h('span.live-mark', ' ●') : null,
      ),
      h('td.num', { title: runs, dataset: { testid: 'file-attempts' } }, f.attempts ?? '–'),
      h('td.num', f.requestCharge === null ? '–' : num(f.requestCharge)),
      h(
        'td.num',
        { title: f.deadLetters || '' },
        f.items && f.items.deadLettered ? h('span.text-warn', num(f.items.deadLettered)) : '0',
      ),
      h(
        'td.error',
        f.error
          ? [
              h('span.code', { dataset: { testid: 'error-code' } }, f.error.code),
              h('span.error-text', { title: f.error.message }, shortMessage(f.error.message, f.key, name)),
            ]
          : null,
      ),
    );
  }

  function renderReport(report) {
    if (!report) return mount(ui.report);
    mount(
      ui.report,
      h(
        'section.panel',
        h('h2', 'Report'),
        h(
          'dl.facts',
          h('dt', 'Started'),
          h('dd', utc(report.startedAt)),
          h('dt', 'Finished'),
          h('dd', utc(report.finishedAt)),
          h('dt', 'Duration'),
          h('dd', duration(report.durationMs / 1000)),
          h('dt', 'Copied to the lake'),
          h(
            'dd',
            `${bytes(report.bytesCopied)} (${num(report.files.copied)} copied, ${num(report.files.copySkipped)} already there)`,
          ),
          h('dt', 'Request units'),
          h('dd', num(report.requestCharge)),
          h('dt', 'Report in the lake'),
          h('dd', h('code.path', `${report.lake.container}/${report.lake.report}`)),
        ),
      ),
    );
  }

  return {
    element,
    update,
    destroy() {
      chart?.destroy();
      chart = null;
      last = null;
    },
    get status() {
      return last;
    },
  };
}
