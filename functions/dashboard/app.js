/* global document, window, location */
import { api } from './api.js';
import { h, mount, kindOf } from './dom.js';
import { ago, percent, time } from './format.js';
import { migrationView } from './migration-view.js';
import { overviewView } from './overview-view.js';
import { tableView } from './table-view.js';

/**
 * The page: a hash route (#/, #/migrations/<id>, #/tables/<name>) picks the view; every few seconds the view and
 * the side lists are refreshed from the API, while the tab is visible and updates are not paused.
 */
const VIEW_EVERY_MS = 2500;
const LISTS_EVERY_MS = 10000;

const content = document.getElementById('content');
const crumbs = document.getElementById('crumbs');
const live = document.getElementById('live');
const pauseButton = document.getElementById('pause');
const windowSelect = document.getElementById('window');

const state = { view: null, route: '', paused: false, timer: 0, listsAt: 0, lists: { migrations: [], tables: [] } };

function parseRoute() {
  const [, kind, ...rest] = location.hash.replace(/^#/, '').split('/');
  const id = decodeURIComponent(rest.join('/'));
  if (kind === 'migrations' && id) return { kind: 'migration', id };
  if (kind === 'tables' && id) return { kind: 'table', id };
  return { kind: 'overview' };
}

function createdFrom() {
  const days = Number(windowSelect.value);
  return days > 0 ? new Date(Date.now() - days * 86400_000).toISOString() : undefined;
}

/** Every page of recent migrations, newest first (a few pages at most). */
async function loadMigrations() {
  const all = [];
  let token;
  for (let page = 0; page < 5; page++) {
    const answer = await api.migrations({ top: 100, createdTimeFrom: createdFrom(), continuationToken: token });
    all.push(...answer.migrations);
    token = answer.continuationToken;
    if (!token) break;
  }
  return all.sort((a, b) => String(b.createdTime).localeCompare(String(a.createdTime)));
}

function setLive(ok, text) {
  live.className = `live ${ok ? 'live-ok' : 'live-bad'}${state.paused ? ' live-paused' : ''}`;
  live.querySelector('.live-text').textContent = text;
}

function migrationLabel(m) {
  return m.target ? `${m.target.database}/${m.target.container}` : m.instanceId;
}

function renderSideLists(current) {
  mount(
    document.getElementById('side-migrations'),
    state.lists.migrations.length === 0
      ? h('li.side-empty', 'No migrations in this window')
      : state.lists.migrations.map((m) => {
          const p = m.progress || {};
          const done = p.items ? p.items.written + p.items.deleted + p.items.deadLettered : 0;
          const pct = m.runtimeStatus === 'Completed' ? 100 : percent(done, p.items && p.items.expected);
          const bar = h('span.mini-bar-fill');
          bar.style.width = `${pct}%`;
          return h(
            'li',
            h(
              `a.side-item${current.kind === 'migration' && current.id === m.instanceId ? '.active' : ''}`,
              { href: `#/migrations/${encodeURIComponent(m.instanceId)}`, dataset: { instance: m.instanceId } },
              h('span.side-title', h(`span.dot.dot-${kindOf(m.runtimeStatus)}`), migrationLabel(m)),
              h(
                'span.side-meta',
                `${m.runtimeStatus}${p.phase && m.runtimeStatus === 'Running' ? ` · ${p.phase}` : ''}${m.startedBy === 'sync' ? ' · by sync' : ''} · ${time(m.createdTime)}`,
              ),
              h(`span.mini-bar.mini-${kindOf(m.runtimeStatus)}`, bar),
            ),
          );
        }),
  );
  mount(
    document.getElementById('side-tables'),
    state.lists.tables.length === 0
      ? h('li.side-empty', 'No tables registered')
      : state.lists.tables.map((t) =>
          h(
            'li',
            h(
              `a.side-item${current.kind === 'table' && current.id === t.name ? '.active' : ''}`,
              { href: `#/tables/${encodeURIComponent(t.name)}` },
              h('span.side-title', h(`span.dot.dot-${kindOf(t.status && t.status.state)}`), t.name),
              h(
                'span.side-meta',
                `${(t.status && t.status.state) || 'unknown'} · ${t.reachedTime ? `lag ${ago(t.reachedTime).replace(' ago', '')}` : 'nothing applied'}`,
              ),
            ),
          ),
        ),
  );
}

function renderCrumbs(route) {
  const home = h('a', { href: '#/' }, 'Overview');
  if (route.kind === 'overview') return mount(crumbs, h('span.crumb-current', 'Overview'));
  const label = route.kind === 'migration' ? 'Migration' : 'Table';
  return mount(
    crumbs,
    home,
    h('span.crumb-sep', '/'),
    h('span', label),
    h('span.crumb-sep', '/'),
    h('span.crumb-current', route.id),
  );
}

async function refresh() {
  clearTimeout(state.timer);
  const route = parseRoute();
  const key = JSON.stringify(route);
  try {
    if (key !== state.route) {
      state.route = key;
      state.view?.destroy?.();
      renderCrumbs(route);
      state.view =
        route.kind === 'migration'
          ? migrationView(route.id)
          : route.kind === 'table'
            ? tableView(route.id)
            : overviewView();
      mount(content, state.view.element);
      content.focus({ preventScroll: true });
    }
    const listsDue = Date.now() - state.listsAt >= LISTS_EVERY_MS || route.kind === 'overview';
    const lists = listsDue
      ? Promise.all([loadMigrations(), api.tables().then((t) => t.tables)]).then(([migrations, tables]) => {
          state.lists = { migrations, tables };
          state.listsAt = Date.now();
        })
      : Promise.resolve();
    // The overview is made of the lists; a migration or a table needs its own answers only, asked at the same time.
    if (route.kind === 'overview') {
      await lists;
      await state.view.update(state.lists);
    } else {
      await Promise.all([state.view.update(state.lists), lists]);
    }
    // The open migration's entry in the side list follows the view, not the list's slower refresh.
    const shown = state.view.status;
    const entry = shown && state.lists.migrations.find((m) => m.instanceId === shown.instanceId);
    if (entry) Object.assign(entry, { runtimeStatus: shown.runtimeStatus, progress: shown.progress });
    renderSideLists(route);
    setLive(true, `${state.paused ? 'Paused' : 'Live'} · updated ${time(new Date().toISOString())}`);
  } catch (error) {
    if (error.status === 404 && route.kind !== 'overview') {
      mount(content, h('div.empty', `${error.message}. `, h('a', { href: '#/' }, 'Back to the overview')));
      state.route = '';
    }
    setLive(false, `Update failed: ${error.message}`);
    if (error.status === 401) state.paused = true;
  } finally {
    if (!state.paused) state.timer = setTimeout(refresh, VIEW_EVERY_MS);
  }
}

window.addEventListener('hashchange', () => void refresh());
windowSelect.addEventListener('change', () => {
  state.listsAt = 0;
  void refresh();
});
pauseButton.addEventListener('click', () => {
  state.paused = !state.paused;
  pauseButton.setAttribute('aria-pressed', String(state.paused));
  pauseButton.textContent = state.paused ? 'Resume' : 'Pause';
  if (!state.paused) void refresh();
  else {
    clearTimeout(state.timer);
    setLive(true, 'Paused');
  }
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && !state.paused) void refresh();
  else clearTimeout(state.timer);
});

void refresh();
