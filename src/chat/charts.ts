import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { CandleColumns } from '../market/types.js';

/** Chart size in pixels. */
export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

const DEFAULT_SIZE: ChartSize = { width: 1000, height: 620 };
const UP = '#26a69a';
const DOWN = '#ef5350';
const FONT = 'DejaVu Sans';

const require = createRequire(import.meta.url);
/** Fonts shipped in an npm package, so charts render the same on every machine, with or without system fonts. */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) =>
  join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', f),
);

/** Renders an ECharts option to PNG: ECharts' server-side SVG renderer, then resvg. */
async function renderPng(option: Record<string, unknown>, size: ChartSize): Promise<Uint8Array> {
  const [echarts, { Resvg }] = await Promise.all([import('echarts'), import('@resvg/resvg-js')]);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    chart.setOption({ animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: FONT }, ...option });
    const svg = chart.renderToSVGString();
    const resvg = new Resvg(svg, {
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT },
      fitTo: { mode: 'original' },
    });
    return new Uint8Array(resvg.render().asPng());
  } finally {
    chart.dispose();
  }
}

/** Formats an epoch-ms time for an axis label, in UTC, as precise as the spacing needs. */
function timeLabel(ms: number, stepMs: number): string {
  const iso = new Date(ms).toISOString();
  return stepMs >= 86_400_000 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** A candlestick chart with volume beneath; the subtitle carries the data's provenance. */
export async function renderCandlestickChart(
  candles: CandleColumns,
  labels: { readonly title: string; readonly subtitle: string },
  size: ChartSize = DEFAULT_SIZE,
): Promise<Uint8Array> {
  const n = candles.close.length;
  const step = n > 1 ? candles.timeMs[1]! - candles.timeMs[0]! : 86_400_000;
  const times = Array.from(candles.timeMs, (t) => timeLabel(t, step));
  const ohlc = Array.from({ length: n }, (_, i) => [candles.open[i], candles.close[i], candles.low[i], candles.high[i]]);
  const volume = Array.from({ length: n }, (_, i) => ({
    value: candles.volume[i],
    itemStyle: { color: candles.close[i]! >= candles.open[i]! ? UP : DOWN },
  }));
  return renderPng(
    {
      title: { text: labels.title, subtext: labels.subtitle, left: 12, top: 6 },
      grid: [
        { left: 70, right: 20, top: 70, height: '58%' },
        { left: 70, right: 20, top: '80%', height: '14%' },
      ],
      xAxis: [
        { type: 'category', data: times, boundaryGap: true, axisLabel: { show: false } },
        { type: 'category', data: times, gridIndex: 1, boundaryGap: true },
      ],
      yAxis: [
        { scale: true, splitLine: { lineStyle: { color: '#eeeeee' } } },
        { gridIndex: 1, splitNumber: 2, axisLabel: { formatter: (v: number) => compact(v) } },
      ],
      series: [
        { type: 'candlestick', data: ohlc, itemStyle: { color: UP, color0: DOWN, borderColor: UP, borderColor0: DOWN } },
        { type: 'bar', data: volume, xAxisIndex: 1, yAxisIndex: 1 },
      ],
    },
    size,
  );
}

/** An equity curve with the drawdown (in %) beneath, for backtest results. */
export async function renderEquityChart(
  series: { readonly timeMs: Float64Array; readonly equity: Float64Array; readonly drawdownPct: Float64Array },
  labels: { readonly title: string; readonly subtitle: string },
  size: ChartSize = DEFAULT_SIZE,
): Promise<Uint8Array> {
  const n = series.equity.length;
  const stride = Math.max(1, Math.ceil(n / 2_000));
  const pick = <T>(f: (i: number) => T) => Array.from({ length: Math.ceil(n / stride) }, (_, k) => f(Math.min(n - 1, k * stride)));
  const step = n > 1 ? series.timeMs[1]! - series.timeMs[0]! : 86_400_000;
  return renderPng(
    {
      title: { text: labels.title, subtext: labels.subtitle, left: 12, top: 6 },
      grid: [
        { left: 80, right: 20, top: 85, height: '52%' },
        { left: 80, right: 20, top: '77%', height: '17%' },
      ],
      xAxis: [
        { type: 'category', data: pick((i) => timeLabel(series.timeMs[i]!, step)), axisLabel: { show: false } },
        { type: 'category', data: pick((i) => timeLabel(series.timeMs[i]!, step)), gridIndex: 1 },
      ],
      yAxis: [
        { scale: true, name: 'Equity', axisLabel: { formatter: (v: number) => compact(v) } },
        { gridIndex: 1, name: 'Drawdown %', max: 0 },
      ],
      series: [
        { type: 'line', data: pick((i) => series.equity[i]), showSymbol: false, lineStyle: { width: 1.5, color: '#1565c0' } },
        {
          type: 'line',
          data: pick((i) => -series.drawdownPct[i]!),
          xAxisIndex: 1,
          yAxisIndex: 1,
          showSymbol: false,
          lineStyle: { width: 1, color: DOWN },
          areaStyle: { color: 'rgba(239,83,80,0.25)' },
        },
      ],
    },
    size,
  );
}

/** A heatmap of an optimisation objective over two parameters. */
export async function renderHeatmap(
  grid: { readonly xName: string; readonly yName: string; readonly xs: readonly number[]; readonly ys: readonly number[]; readonly values: ReadonlyArray<readonly number[]> },
  labels: { readonly title: string; readonly subtitle: string },
  size: ChartSize = DEFAULT_SIZE,
): Promise<Uint8Array> {
  const cells: Array<[number, number, number | '-']> = [];
  let min = Infinity;
  let max = -Infinity;
  grid.ys.forEach((_, yi) =>
    grid.xs.forEach((__, xi) => {
      const v = grid.values[yi]?.[xi];
      if (v === undefined || !Number.isFinite(v)) return void cells.push([xi, yi, '-']);
      cells.push([xi, yi, v]);
      min = Math.min(min, v);
      max = Math.max(max, v);
    }),
  );
  return renderPng(
    {
      title: { text: labels.title, subtext: labels.subtitle, left: 12, top: 6 },
      grid: { left: 80, right: 110, top: 95, bottom: 60 },
      xAxis: { type: 'category', name: grid.xName, nameLocation: 'middle', nameGap: 30, data: grid.xs.map(String) },
      yAxis: { type: 'category', name: grid.yName, data: grid.ys.map(String) },
      visualMap: {
        min: Number.isFinite(min) ? min : 0,
        max: Number.isFinite(max) ? max : 1,
        calculable: false,
        text: [compact(Number.isFinite(max) ? max : 1), compact(Number.isFinite(min) ? min : 0)],
        orient: 'vertical',
        right: 10,
        top: 'center',
        inRange: { color: ['#b71c1c', '#fff59d', '#1b5e20'] },
      },
      series: [{ type: 'heatmap', data: cells, label: { show: grid.xs.length * grid.ys.length <= 100, formatter: (p: { value: [number, number, number] }) => compact(p.value[2]) } }],
    },
    size,
  );
}

/** 1234567 → 1.23M; small numbers keep up to 4 significant digits. */
function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}B`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  return String(Number(v.toPrecision(4)));
}
