import { UserError } from '../errors.js';

/** The id of the generated demo source; its data is never market data. */
export const SYNTHETIC_SOURCE = 'synthetic';

/** What kind of data source an id names: an exchange (`binance`), an imported file set (`csv:goog`), or synthetic. */
export type SourceKind = 'exchange' | 'file' | 'synthetic';

/** The kind of source `source` is. */
export function sourceKind(source: string): SourceKind {
  if (source === SYNTHETIC_SOURCE || source.startsWith(`${SYNTHETIC_SOURCE}:`)) return 'synthetic';
  return source.includes(':') ? 'file' : 'exchange';
}

/** Throws a UserError unless orders may be based on `source`: only live exchange data qualifies. */
export function assertTradable(source: string): void {
  const kind = sourceKind(source);
  if (kind === 'synthetic') {
    throw new UserError(`"${source}" is SYNTHETIC demo data, generated rather than observed; it can never be traded on.`);
  }
  if (kind === 'file') throw new UserError(`"${source}" is imported historical data; trade only on live exchange prices.`);
}

/** Throws a UserError unless `source` is a valid name for imported data: `<kind>:<name>`, e.g. `csv:goog`. */
export function assertImportSource(source: string): void {
  if (!/^[a-z][a-z0-9-]*:[A-Za-z0-9._-]+$/.test(source) || sourceKind(source) !== 'file') {
    throw new UserError(
      `"${source}" cannot hold imported data: name it <kind>:<name>, e.g. csv:goog or freqtrade:btc-2021, so it never mixes with an exchange's own data.`,
    );
  }
}
