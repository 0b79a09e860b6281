/* global window */
import { api } from './api.js';
import { badge, h, kindOf, kpi, mount, s } from './dom.js';
import { ago, duration, num, utc } from './format.js';

/**
 * One synced table (`GET /api/tables/{name}`): its ledger as a timeline (full exports as points, incremental
 * exports as windows, coloured by state), the point in time the container has reached, the lag behind now, and
 * the last verification (the latest export whose migration reported a validation).
 */
const DAY = 86400_000;

function entryTimes(e) {
  if (e.exportType === 'FULL_EXPORT') {
    const t = Date.parse(e.exportTime);
    return { start: t, end: t };
  }
  return { start: Date.parse(e.fromTime), end: Date.parse(e.toTime) };
}

function windowText(e) {
  return e.exportType === 'FULL_EXPORT' ? `as of ${utc(e.exportTime)}` : `${utc(e.fromTime)} → ${utc(e.toTime)}`;
}

function niceTicks(min, max, count) {
  const span = max - min;
  const steps = [60e3, 300e3, 900e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, DAY, 2 * DAY, 7 * DAY, 30 * DAY];
  const step = steps.find((st) => span / st <= count) || 30 * DAY;
  const ticks = [];
  for (let t = Math.ceil(min / step) * step; t <= max; t += step) ticks.push(t);
  return { ticks, step };
}

function tickLabel(t, step) {
  const d = new Date(t);
  const iso = d.toISOString();
  return step >= DAY
    ? iso.slice(5, 10)
    : step >= 3600e3
      ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
      : iso.slice(11, 16);
}

/** The ledger as an SVG timeline, sized to the width it is drawn at. */
export function timeline(ledger, width, now = Date.now()) {
  const entries = ledger.exports.filter((e) => Number.isFinite(entryTimes(e).start));
  const height = 150;
  const left = 110;
  const right = 20;
  const svg = s('svg', {
    class: 'timeline',
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'Ledger timeline',
    'data-testid': 'ledger-timeline',
  });
  if (entries.length === 0) {
    svg.append(
      s('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'tl-empty' }, 'No exports seen yet'),
    );
    return svg;
  }
  const reached = ledger.reachedTime ? Date.parse(ledger.reachedTime) : undefined;
  let min = Math.min(...entries.map((e) => entryTimes(e).start));
  let max = Math.max(now, ...entries.map((e) => entryTimes(e).end));
  const pad = Math.max((max - min) * 0.04, 60e3);
  min -= pad;
  max += pad;
  const x = (t) => left + ((t - min) / (max - min)) * (width - left - right);
  const lanes = { full: 38, incremental: 82 };
  const axisY = 118;

  svg.append(
    s('text', { x: 10, y: lanes.full + 4, class: 'tl-lane' }, 'Full exports'),
    s('text', { x: 10, y: lanes.incremental + 4, class: 'tl-lane' }, 'Incrementals'),
    s('line', { x1: left, x2: width - right, y1: lanes.full, y2: lanes.full, class: 'tl-track' }),
    s('line', { x1: left, x2: width - right, y1: lanes.incremental, y2: lanes.incremental, class: 'tl-track' }),
    s('line', { x1: left, x2: width - right, y1: axisY, y2: axisY, class: 'tl-axis' }),
  );
  const { ticks, step } = niceTicks(min, max, Math.max(3, Math.floor((width - left - right) / 110)));
  for (const t of ticks) {
    svg.append(
      s('line', { x1: x(t), x2: x(t), y1: 20, y2: axisY + 4, class: 'tl-grid' }),
      s('text', { x: x(t), y: axisY + 18, 'text-anchor': 'middle', class: 'tl-tick' }, tickLabel(t, step)),
    );
  }
  // Lag: from the point reached to now.
  if (reached !== undefined) {
    svg.append(
      s('rect', { x: x(reached), y: 18, width: Math.max(1, x(now) - x(reached)), height: axisY - 18, class: 'tl-lag' }),
      s('line', { x1: x(reached), x2: x(reached), y1: 14, y2: axisY, class: 'tl-reached' }),
      s('text', { x: x(reached) - 4, y: 12, 'text-anchor': 'end', class: 'tl-reached-label' }, 'reached'),
    );
  }
  svg.append(
    s('line', { x1: x(now), x2: x(now), y1: 14, y2: axisY, class: 'tl-now' }),
    s('text', { x: x(now) + 4, y: 12, class: 'tl-now-label' }, 'now'),
  );
  // A gap: the window no export covers, from the point reached to where the stopped export starts.
  for (const e of entries.filter((g) => g.state === 'gap' && reached !== undefined)) {
    const from = x(reached);
    const to = x(entryTimes(e).start);
    if (to - from < 2) continue;
    svg.append(
      s('rect', { x: from, y: lanes.incremental - 9, width: to - from, height: 18, rx: 3, class: 'tl-missing' }),
      s(
        'text',
        { x: (from + to) / 2, y: lanes.incremental + 4, 'text-anchor': 'middle', class: 'tl-missing-label' },
        'no export',
      ),
    );
  }
  for (const e of entries) {
    const { start, end } = entryTimes(e);
    const kind = kindOf(e.state);
    const title = s(
      'title',
      {},
      `${e.exportId} · ${e.exportType === 'FULL_EXPORT' ? 'full' : 'incremental'} · ${e.state}\n${windowText(e)}\n${num(e.itemCount)} items · ${e.attempts} attempt(s)${e.reason ? `\n${e.reason}` : ''}`,
    );
    if (e.exportType === 'FULL_EXPORT') {
      const cx = x(start);
      const r = 8;
      svg.append(
        s(
          'path',
          {
            d: `M${cx} ${lanes.full - r}L${cx + r} ${lanes.full}L${cx} ${lanes.full + r}L${cx - r} ${lanes.full}Z`,
            class: `tl-mark tl-${kind}`,
            'data-export': e.exportId,
            'data-state': e.state,
          },
          title,
        ),
      );
    } else {
      const x1 = x(start);
      const w = Math.max(3, x(end) - x1 - 1);
      svg.append(
        s(
          'rect',
          {
            x: x1,
            y: lanes.incremental - 9,
            width: w,
            height: 18,
            rx: 3,
            class: `tl-mark tl-${kind}`,
            'data-export': e.exportId,
            'data-state': e.state,
          },
          title,
        ),
      );
    }
  }
  return svg;
}

export function tableView(name) {
  const ui = {
    head: h('div.view-head'),
    alert: h('div'),
    kpis: h('div.kpis'),
    timelineBox: h('div.timeline-box'),
    ledger: h('div.grid-wrap'),
    legend: h(
      'div.chart-legend',
      [
        ['applied', 'ok'],
        ['applying', 'run'],
        ['pending or skipped', 'idle'],
        ['failed or gap', 'bad'],
        ['no export', 'missing'],
      ].map(([label, kind]) => h(`span.legend.legend-${kind}`, label)),
    ),
  };
  const element = h(
    'div.view',
    { dataset: { testid: 'table-view', table: name } },
    ui.alert,
    ui.head,
    ui.kpis,
    h('section.panel', h('div.panel-head', h('h2', 'Ledger timeline'), ui.legend), ui.timelineBox),
    h('section.panel.panel-files', h('div.panel-head', h('h2', 'Exports')), ui.ledger),
  );
  let last = null;

  async function update() {
    last = await api.table(name);
    render(last);
  }

  function render(t) {
    const ledger = t.ledger;
    const now = Date.now();
    const state = ledger.status.state;
    element.dataset.reachedTime = ledger.reachedTime || '';
    mount(
      ui.alert,
      ledger.status.reason
        ? h(
            `div.alert.alert-${kindOf(state) === 'bad' ? 'bad' : 'warn'}`,
            { role: 'status' },
            h('strong', `${state}: `),
            ledger.status.reason,
          )
        : null,
    );
    mount(
      ui.head,
      h(
        'div',
        h('h1', h('span.muted', 'Table '), t.name),
        h(
          'div.sub',
          h('span.mono', `s3://${t.source.bucket}/${t.source.exportsPrefix || ''}`),
          h('span.sep', '→'),
          h('span', `Cosmos DB ${t.target.database}/${t.target.container}`),
          h('span.sep', '·'),
          `registered ${utc(t.createdAt)}`,
        ),
      ),
      badge(state, kindOf(state), { dataset: { testid: 'sync-state', value: state } }),
    );

    const applied = ledger.exports.filter((e) => e.state === 'applied');
    const verified = ledger.exports
      .filter((e) => e.report)
      .sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt)))[0];
    const lagSeconds = ledger.reachedTime ? (now - Date.parse(ledger.reachedTime)) / 1000 : null;
    const sync = t.sync || {};
    mount(
      ui.kpis,
      kpi(
        'Point in time reached',
        ledger.reachedTime ? `${ledger.reachedTime.slice(11, 16)} UTC` : 'none yet',
        { dataset: { testid: 'reached-time', value: ledger.reachedTime || '' }, title: ledger.reachedTime || '' },
        ledger.reachedTime ? ledger.reachedTime.slice(0, 10) : 'no export applied',
      ),
      kpi(
        'Lag behind now',
        lagSeconds === null ? '–' : duration(lagSeconds),
        {
          dataset: { testid: 'lag', value: lagSeconds === null ? '' : Math.round(lagSeconds) },
          class: lagSeconds > (2 * DAY) / 1000 ? 'text-warn' : '',
        },
        'changes not in Cosmos yet',
      ),
      kpi(
        'Exports applied',
        h(
          'span',
          h('span', { dataset: { testid: 'exports-applied', value: applied.length } }, num(applied.length)),
          h('span.muted', ` / ${num(ledger.exports.length)}`),
        ),
        {},
        `${ledger.exports.filter((e) => e.state === 'pending').length} pending`,
      ),
      kpi(
        'Last verification',
        verified ? badge(verified.report.passed ? 'passed' : 'failed', verified.report.passed ? 'ok' : 'bad') : '–',
        { dataset: { testid: 'last-verification', value: verified ? String(verified.report.passed) : '' } },
        verified
          ? h(
              'span',
              `${ago(verified.updatedAt, now)} · `,
              verified.instanceId
                ? h('a', { href: `#/migrations/${encodeURIComponent(verified.instanceId)}` }, verified.exportId)
                : verified.exportId,
            )
          : 'no export validated yet',
      ),
      kpi(
        'Sync',
        sync.runtimeStatus || 'never run',
        { dataset: { testid: 'sync-runtime', value: sync.runtimeStatus || '' } },
        sync.lastUpdatedTime ? `updated ${ago(sync.lastUpdatedTime, now)}` : sync.instanceId,
      ),
    );

    const width = Math.max(480, Math.floor(ui.timelineBox.clientWidth || element.clientWidth - 40 || 900));
    mount(ui.timelineBox, timeline(ledger, width, now));

    const rows = [...ledger.exports].sort((a, b) => entryTimes(b).end - entryTimes(a).end);
    mount(
      ui.ledger,
      h(
        'table.grid',
        { dataset: { testid: 'ledger-grid' } },
        h(
          'thead',
          h(
            'tr',
            h('th', 'Export'),
            h('th', 'Type'),
            h('th', 'Point in time / window'),
            h('th.num', 'Items'),
            h('th', 'State'),
            h('th.num', 'Attempts'),
            h('th', 'Result'),
            h('th', 'Migration'),
          ),
        ),
        h(
          'tbody',
          rows.length === 0
            ? h('tr', h('td.muted.pad', { colspan: 8 }, 'No exports found under the table’s prefix yet.'))
            : rows.map((e) =>
                h(
                  `tr.row-${kindOf(e.state)}`,
                  { dataset: { export: e.exportId, state: e.state } },
                  h('td.mono', e.exportId),
                  h('td', e.exportType === 'FULL_EXPORT' ? 'full' : 'incremental'),
                  h('td.small', windowText(e)),
                  h('td.num', num(e.itemCount)),
                  h('td', badge(e.state, kindOf(e.state))),
                  h('td.num', e.attempts ?? '–'),
                  h(
                    'td.small',
                    e.report
                      ? [
                          badge(e.report.passed ? 'validated' : 'not validated', e.report.passed ? 'ok' : 'bad'),
                          ` ${num(e.report.written)} written, ${num(e.report.deleted)} deleted${e.report.deadLettered ? `, ${num(e.report.deadLettered)} dead-lettered` : ''}${e.report.failedFiles ? `, ${e.report.failedFiles} failed files` : ''} · ${duration(e.report.durationMs / 1000)}`,
                        ]
                      : null,
                    e.reason ? h('div.text-bad.clamp', { title: e.reason }, e.reason) : null,
                    e.warning ? h('div.text-warn', e.warning) : null,
                  ),
                  h(
                    'td.small',
                    e.instanceId
                      ? h('a.mono', { href: `#/migrations/${encodeURIComponent(e.instanceId)}` }, 'open')
                      : '–',
                  ),
                ),
              ),
        ),
      ),
    );
  }

  const onResize = () => last && render(last);
  window.addEventListener('resize', onResize);
  return {
    element,
    update,
    destroy() {
      window.removeEventListener('resize', onResize);
    },
  };
}
