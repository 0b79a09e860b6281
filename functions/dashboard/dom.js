/* global document, Node */
/**
 * A small element builder: h('div.panel', { dataset: { testid: 'x' } }, ...children). No markup strings, so
 * nothing from the API is ever parsed as HTML, and no inline style attributes (the page's policy forbids them).
 */
export function h(tag, props, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (
    props !== undefined &&
    props !== null &&
    (typeof props !== 'object' || props instanceof Node || Array.isArray(props))
  ) {
    children.unshift(props);
    props = undefined;
  }
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = [el.className, v].filter(Boolean).join(' ');
    else if (k === 'style') Object.assign(el.style, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = 'http://www.w3.org/2000/svg';
export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the children of `el`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function badge(text, kind, props = {}) {
  return h(`span.badge.badge-${kind}`, props, text);
}

/** The colour family of a runtime status, a file state or a ledger state. */
export function kindOf(state) {
  switch (String(state || '').toLowerCase()) {
    case 'running':
    case 'loading':
    case 'copying':
    case 'applying':
    case 'syncing':
    case 'validating':
    case 'reporting':
      return 'run';
    case 'completed':
    case 'loaded':
    case 'applied':
    case 'up-to-date':
    case 'done':
    case 'passed':
      return 'ok';
    case 'failed':
    case 'terminated':
    case 'canceled':
    case 'gap':
    case 'stopped':
      return 'bad';
    case 'retrying':
    case 'waiting':
    case 'suspended':
      return 'warn';
    default:
      return 'idle';
  }
}

export function kpi(label, value, props = {}, sub) {
  return h('div.kpi', h('div.kpi-label', label), h('div.kpi-value', props, value), sub ? h('div.kpi-sub', sub) : null);
}
