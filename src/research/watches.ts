import type { DeliveryTarget, JsonValue, SettingsRepository } from '../store/types.js';

/** One chat's /watch: a strategy's stance on a market, kept under `watch:<platform>:<chatId>:<SYMBOL>|<tf>|<strategy>`. */
export interface Watch {
  /** The settings key: also names the watch in its state and in its deliveries' period. */
  readonly key: string;
  readonly target: DeliveryTarget;
  readonly symbol: string;
  readonly timeframe: string;
  readonly strategy: string;
  /** When the watch was created (/watch stores it): a state older than the watch belongs to an earlier one. */
  readonly atMs: number;
}

/** The stance a watch last saw, and on which closed bar (its open time). */
export interface WatchState {
  readonly stance: number;
  readonly barTimeMs: number;
  /** The `atMs` of the watch it was recorded for. */
  readonly watchAtMs: number;
}

const WATCH_KEY = /^watch:(telegram|discord|console):([^:]+):(.+)\|([^|]+)\|([^|]+)$/;
const STATE_PREFIX = 'watch-state:';

/** The settings key prefix of one chat's watches: `watch:<platform>:<chatId>:`. */
export function watchKeyPrefix(chat: { readonly platform: string; readonly chatId: string }): string {
  return `watch:${chat.platform}:${chat.chatId}:`;
}

/** The settings key of one chat's watch (the symbol as the exchange writes it), as {@link listWatches} parses it. */
export function watchKey(chat: { readonly platform: string; readonly chatId: string }, symbol: string, timeframe: string, strategy: string): string {
  return `${watchKeyPrefix(chat)}${symbol}|${timeframe}|${strategy}`;
}

/** Every chat's watches, read from the settings (keys that do not parse are left out). */
export async function listWatches(settings: SettingsRepository): Promise<Watch[]> {
  const rows = await settings.list('watch:');
  return rows.flatMap(({ key, value }) => {
    const m = WATCH_KEY.exec(key);
    if (!m) return [];
    const atMs = value !== null && typeof value === 'object' && !Array.isArray(value) ? Number(value.atMs ?? 0) : 0;
    return [{ key, target: { platform: m[1] as DeliveryTarget['platform'], chatId: m[2]! }, symbol: m[3]!, timeframe: m[4]!, strategy: m[5]!, atMs }];
  });
}

/** The distinct (symbol, timeframe) pairs of some watches, each with its watches, in first-seen order. */
export function watchedPairs(watches: readonly Watch[]): Array<{ symbol: string; timeframe: string; watches: Watch[] }> {
  const pairs = new Map<string, { symbol: string; timeframe: string; watches: Watch[] }>();
  for (const w of watches) {
    const id = `${w.symbol}|${w.timeframe}`;
    const pair = pairs.get(id) ?? { symbol: w.symbol, timeframe: w.timeframe, watches: [] };
    pair.watches.push(w);
    pairs.set(id, pair);
  }
  return [...pairs.values()];
}

/** A stored state as the state of `watch`; undefined when it is not one, or was recorded for an earlier watch. */
function stateOf(v: JsonValue, watch: Watch): WatchState | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const state = { stance: Number(v.stance), barTimeMs: Number(v.barTimeMs), watchAtMs: Number(v.watchAtMs ?? 0) };
  // A watch removed and added again starts over: the old stance would announce a flip that nobody saw happen.
  return Number.isFinite(state.stance) && Number.isFinite(state.barTimeMs) && state.watchAtMs === watch.atMs ? state : undefined;
}

/** Stores the state of a watch. */
export function putWatchState(settings: SettingsRepository, watch: Watch, state: WatchState, nowMs: number): Promise<void> {
  const value: JsonValue = { stance: state.stance, barTimeMs: state.barTimeMs, watchAtMs: state.watchAtMs };
  return settings.set(`${STATE_PREFIX}${watch.key}`, value, nowMs);
}

/**
 * The states of some watches by watch key, read in one listing (a watch without a usable state is left out); the
 * states of watches that no longer exist are deleted on the way.
 */
export async function watchStates(settings: SettingsRepository, watches: readonly Watch[]): Promise<Map<string, WatchState>> {
  const byKey = new Map(watches.map((w) => [`${STATE_PREFIX}${w.key}`, w]));
  const states = new Map<string, WatchState>();
  for (const { key, value } of await settings.list(STATE_PREFIX)) {
    const watch = byKey.get(key);
    if (watch === undefined) await settings.delete(key);
    else {
      const state = stateOf(value, watch);
      if (state) states.set(watch.key, state);
    }
  }
  return states;
}
