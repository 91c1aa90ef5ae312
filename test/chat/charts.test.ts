import { describe, expect, it } from 'vitest';
import { renderCandlestickChart, renderEquityChart, renderHeatmap } from '../../src/chat/charts.js';
import type { CandleColumns } from '../../src/market/types.js';
import { readFreqtradeJson, sharedDataPath } from '../support/shared-data.js';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  expect(Buffer.from(png.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
  const view = new DataView(png.buffer, png.byteOffset);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

describe('charts', () => {
  it('draws real candles as a candlestick PNG with volume', async () => {
    const all = readFreqtradeJson(sharedDataPath('crypto/binance_spot_1m_freqtrade_userdata/selskas_Freqtrade-configs/BTC_USDT-1m.json'));
    const candles = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.subarray(0, 120)])) as unknown as CandleColumns;
    const png = await renderCandlestickChart(candles, { title: 'BTC/USDT 1m', subtitle: 'binance' });
    expect(pngSize(png)).toEqual({ width: 1000, height: 620 });
    expect(png.length).toBeGreaterThan(20_000); // 120 candles and their wicks, not an empty canvas
  }, 60_000);

  it('draws an equity curve with drawdown, and a heatmap, at the requested size', async () => {
    const timeMs = Float64Array.from({ length: 300 }, (_, i) => 1.6e12 + i * 86_400_000);
    const equity = Float64Array.from({ length: 300 }, (_, i) => 10_000 + i * 10);
    const drawdownPct = new Float64Array(300);
    expect(pngSize(await renderEquityChart({ timeMs, equity, drawdownPct }, { title: 'Equity', subtitle: 'x' }, { width: 640, height: 400 }))).toEqual({ width: 640, height: 400 });
    const heat = await renderHeatmap({ xName: 'fast', yName: 'slow', xs: [5, 10], ys: [20, 30], values: [[1, 2], [3, Number.NaN]] }, { title: 'Sharpe', subtitle: 'x' });
    expect(pngSize(heat)).toEqual({ width: 1000, height: 620 });
  }, 60_000);
});
