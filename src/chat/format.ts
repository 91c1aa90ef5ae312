/** Formats a duration for people: `3d 4h`, `5m 12s`, `42s`, `850 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = Math.floor(ms / 1000);
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** A number exactly as received (shortest round-trip form), with thousands separators in the integer part. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [int, frac] = String(Math.abs(value)).includes('e') ? [value.toPrecision(8)] : String(Math.abs(value)).split('.');
  const sign = value < 0 ? '-' : '';
  return `${sign}${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac === undefined ? '' : `.${frac}`}`;
}

/** A large amount shortened: 1234567 → 1.23M. */
export function formatCompact(value: number): string {
  const a = Math.abs(value);
  if (a >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(value / 1e3).toFixed(2)}k`;
  return formatNumber(Number(value.toPrecision(6)));
}

/** A signed percentage with two decimals: `+1.25%`. */
export function formatPct(value: number): string {
  return `${value > 0 ? '+' : ''}${value.toFixed(2)}%`;
}

/** An epoch-ms time in UTC: `2021-04-20 01:59:00 UTC`. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
