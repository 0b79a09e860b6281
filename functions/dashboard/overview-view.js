import { badge, h, kindOf, kpi, mount } from './dom.js';
import { ago, duration, num, percent, time } from './format.js';

/** The landing view: what runs, what failed, and how far behind each synced table is. */
export function overviewView() {
  const kpis = h('div.kpis');
  const migrations = h('div.grid-wrap');
  const tables = h('div.grid-wrap');
  const element = h(
    'div.view',
    { dataset: { testid: 'overview' } },
    h(
      'div.view-head',
      h(
        'div',
        h('h1', 'Overview'),
        h('div.sub', 'Migrations in the chosen window and every table registered for sync'),
      ),
    ),
    kpis,
    h('section.panel.panel-files', h('div.panel-head', h('h2', 'Migrations')), migrations),
    h('section.panel.panel-files', h('div.panel-head', h('h2', 'Synced tables')), tables),
  );

  function update(lists) {
    const now = Date.now();
    const running = lists.migrations.filter((m) => m.runtimeStatus === 'Running' || m.runtimeStatus === 'Pending');
    const failed = lists.migrations.filter((m) => m.runtimeStatus === 'Failed' || m.passed === false);
    const behind = lists.tables.filter((t) => ['failed', 'stopped'].includes(t.status && t.status.state));
    mount(
      kpis,
      kpi(
        'Running',
        num(running.length),
        { dataset: { testid: 'running-count', value: running.length } },
        'migrations',
      ),
      kpi('Failed or not validated', num(failed.length), { class: failed.length ? 'text-bad' : '' }, 'in this window'),
      kpi('Migrations', num(lists.migrations.length), {}, 'in this window'),
      kpi('Synced tables', num(lists.tables.length), {}, `${behind.length} stopped or failed`),
    );
    mount(
      migrations,
      h(
        'table.grid',
        { dataset: { testid: 'migrations-grid' } },
        h(
          'thead',
          h(
            'tr',
            h('th', 'Status'),
            h('th', 'Target'),
            h('th', 'Source'),
            h('th', 'Progress'),
            h('th.num', 'Items/s'),
            h('th', 'ETA'),
            h('th', 'Started'),
            h('th', 'By'),
          ),
        ),
        h(
          'tbody',
          lists.migrations.length === 0
            ? h('tr', h('td.muted.pad', { colspan: 8 }, 'No migrations in this window.'))
            : lists.migrations.map((m) => {
                const p = m.progress || {};
                const items = p.items || {};
                const done = (items.written || 0) + (items.deleted || 0) + (items.deadLettered || 0);
                const pct = m.runtimeStatus === 'Completed' ? 100 : percent(done, items.expected);
                const fill = h(`span.mini-bar-fill`);
                fill.style.width = `${pct}%`;
                const href = `#/migrations/${encodeURIComponent(m.instanceId)}`;
                return h(
                  'tr',
                  { dataset: { instance: m.instanceId } },
                  h(
                    'td',
                    badge(m.runtimeStatus, kindOf(m.runtimeStatus)),
                    m.passed === false ? badge('not validated', 'bad') : null,
                  ),
                  h('td', h('a', { href }, m.target ? `${m.target.database}/${m.target.container}` : m.instanceId)),
                  h(
                    'td.mono.small.ellipsis',
                    { title: m.source ? `s3://${m.source.bucket}/${m.source.exportPrefix}` : '' },
                    m.source ? `s3://${m.source.bucket}/${m.source.exportPrefix}` : '–',
                  ),
                  h(
                    'td',
                    h(
                      'div.progress-cell',
                      h(`span.mini-bar.mini-${kindOf(m.runtimeStatus)}`, fill),
                      h(
                        'span.small',
                        `${pct.toFixed(0)}% · ${p.files ? `${num(p.files.loaded)}/${num(p.files.total)} files` : p.phase || ''}${p.files && p.files.failed ? ` · ${p.files.failed} failed` : ''}`,
                      ),
                    ),
                  ),
                  h('td.num', m.runtimeStatus === 'Running' ? num(p.itemsPerSecond) : '–'),
                  h(
                    'td',
                    m.runtimeStatus === 'Running' && typeof p.etaSeconds === 'number' ? duration(p.etaSeconds) : '–',
                  ),
                  h('td.small', time(m.createdTime)),
                  h('td.small', m.startedBy),
                );
              }),
        ),
      ),
    );
    mount(
      tables,
      h(
        'table.grid',
        { dataset: { testid: 'tables-grid' } },
        h(
          'thead',
          h(
            'tr',
            h('th', 'Table'),
            h('th', 'State'),
            h('th', 'Target'),
            h('th', 'Point in time reached'),
            h('th', 'Lag'),
            h('th.num', 'Applied'),
          ),
        ),
        h(
          'tbody',
          lists.tables.length === 0
            ? h('tr', h('td.muted.pad', { colspan: 6 }, 'No tables registered: PUT /api/tables/{name} registers one.'))
            : lists.tables.map((t) =>
                h(
                  'tr',
                  h('td', h('a', { href: `#/tables/${encodeURIComponent(t.name)}` }, t.name)),
                  h('td', badge((t.status && t.status.state) || '–', kindOf(t.status && t.status.state))),
                  h('td', `${t.target.database}/${t.target.container}`),
                  h('td.small', t.reachedTime ? time(t.reachedTime) : '–'),
                  h('td', t.reachedTime ? ago(t.reachedTime, now).replace(' ago', '') : '–'),
                  h('td.num', `${num(t.applied)} / ${num(t.exports)}`),
                ),
              ),
        ),
      ),
    );
  }

  return { element, update };
}
