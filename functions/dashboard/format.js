/** Formatting shared by the views: numbers with separators, durations, times, sizes. */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export function num(value) {
  return typeof value === 'number' && Number.isFinite(value) ? integer.format(value) : '–';
}

export function dec(value) {
  return typeof value === 'number' && Number.isFinite(value) ? decimal.format(value) : '–';
}

export function percent(part, whole) {
  if (!whole) return 0;
  return Math.max(0, Math.min(100, (part * 100) / whole));
}

/** 45s, 2m 05s, 1h 02m, 3d 04h. */
export function duration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** Seconds on a chart axis: 0:45, 12:05, 1:02:05. */
export function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const pad = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString('en-GB', { hour12: false })
    : `${date.toLocaleDateString('en-CA')} ${date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false })}`;
}

export function utc(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '–' : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '–';
  const ms = now - new Date(iso).getTime();
  return Number.isFinite(ms) ? `${duration(ms / 1000)} ago` : '–';
}

export function bytes(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${unit === 0 ? n : n.toFixed(1)} ${units[unit]}`;
}

export function shortId(id) {
  return id && id.length > 24 ? `${id.slice(0, 20)}…` : id;
}
