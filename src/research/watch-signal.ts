import { formatNumber, formatUtc } from '../chat/format.js';
import type { Reply } from '../chat/reply.js';
import type { CandleColumns } from '../market/types.js';
import { timeframeMs } from '../market/timeframe.js';
import { getStrategy } from '../strategies/registry.js';
import type { Watch } from './watches.js';

/** A strategy's stance on the last bar of some closed candles, with the values behind it. */
export interface Stance {
  /** +1 long, −1 short, 0 flat. */
  readonly stance: number;
  readonly barTimeMs: number;
  readonly close: number;
  /** Up to four indicator values on that bar, by name (the strategy's own score first, when it has one). */
  readonly indicators: ReadonlyArray<readonly [string, number]>;
}

/** How a stance is written. */
export const STANCE_NAME: Readonly<Record<number, string>> = { 1: 'LONG', [-1]: 'SHORT', 0: 'flat' };

/** An indicator value for people: six significant digits, or — when there is none (warming up). */
export function shownValue(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '—' : formatNumber(Number(v.toPrecision(6)));
}

/**
 * The stance of `strategy` (default parameters, as /signals) on the last of `candles`; undefined while an indicator
 * it shows is still warming up there (a flat stance then would only mean "not enough history").
 */
export function stanceOnLastBar(strategy: string, candles: CandleColumns): Stance | undefined {
  const s = getStrategy(strategy);
  const result = s.compute(candles, s.defaults);
  const last = candles.timeMs.length - 1;
  // A strategy's own score (confluence) first, then its other series; the per-component sub-scores are left out.
  const entries = Object.entries(result.indicators);
  const indicators = [...entries.filter(([k]) => k === 'score'), ...entries.filter(([k]) => !/score$/i.test(k))]
    .slice(0, 4)
    .map(([k, v]) => [k, v[last]!] as const);
  if (last < 0 || indicators.some(([, v]) => !Number.isFinite(v))) return undefined;
  return { stance: result.targets[last]!, barTimeMs: candles.timeMs[last]!, close: candles.close[last]!, indicators };
}

/** The post for a watch whose stance changed: old and new stance, price, indicator values, the candles' source and bar. */
export function flipReply(watch: Watch, before: { stance: number; barTimeMs: number }, now: Stance, source: string, bars: number): Reply {
  const barMs = timeframeMs(watch.timeframe);
  const [from, to] = [STANCE_NAME[before.stance] ?? String(before.stance), STANCE_NAME[now.stance] ?? String(now.stance)];
  const off = `/watch ${watch.symbol} ${watch.timeframe} ${watch.strategy} off=1`;
  return {
    level: 'info',
    title: `${watch.symbol} ${watch.timeframe} ${watch.strategy}: ${from} → ${to}`,
    lines: [
      `The ${watch.strategy} stance on ${watch.symbol} ${watch.timeframe} is ${to} on the bar ${formatUtc(now.barTimeMs)} – ${formatUtc(now.barTimeMs + barMs)}; it was ${from} on the bar opened ${formatUtc(before.barTimeMs)}.`,
      `Close ${formatNumber(now.close)}; ${now.indicators.map(([k, v]) => `${k} ${shownValue(v)}`).join(', ')} (default parameters).`,
      `Candles: ${source}, ${bars} closed ${watch.timeframe} bars, the last opened ${formatUtc(now.barTimeMs)}.`,
      `A strategy's rule, not advice. Stop these with ${off}`,
    ],
    actions: [{ label: 'Stop watching', line: off }],
  };
}
