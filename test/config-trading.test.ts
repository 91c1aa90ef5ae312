import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { breakerLimitsOf, riskLimitsOf } from '../src/trading/create-trading.js';
import { memoryLog } from './support/test-deps.js';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('trading config', () => {
  it('defaults to paper trading in USDT with every risk limit on', () => {
    const t = loadConfig({}).trading;
    expect(t).toMatchObject({
      mode: 'paper', quoteAsset: 'USDT', paperStartingBalances: { USDT: '10000' }, paperSlippageBps: 5,
      takerFeeRate: '0.001', makerFeeRate: '0.001', maxQuoteAgeMs: 30_000,
      breaker: { maxLossStreak: 5, maxErrorRate: 0.5 },
    });
    expect(t.limits).toEqual({
      allowedSymbols: undefined, maxOrderNotional: '1000', maxPositionNotional: '2500', maxOpenPositions: 5,
      maxTotalExposure: '5000', maxDailyLoss: '250', maxDrawdownPct: 10, cooldown: { losses: 3, durationMs: 3_600_000 },
    });
    expect(riskLimitsOf(t).maxOrderNotional!.toString()).toBe('1000');
    expect(breakerLimitsOf(t)).toMatchObject({ maxDrawdownPct: 10, maxLossStreak: 5, errorRate: { maxRatio: 0.5 } });
  });

  it('reads balances, symbols and limits, and turns a limit off with "off"', () => {
    const t = loadConfig({
      PAPER_STARTING_BALANCE: 'usdt=2500.5, BTC=0.25', ALLOWED_SYMBOLS: 'btc/usdt,ETH/USDT', MAX_ORDER_NOTIONAL: 'off',
      COOLDOWN_LOSSES: 'off', MAX_OPEN_POSITIONS: '2', QUOTE_ASSET: 'usdc',
    }).trading;
    expect(t.paperStartingBalances).toEqual({ USDT: '2500.5', BTC: '0.25' });
    expect(t.quoteAsset).toBe('USDC');
    expect(t.limits).toMatchObject({ allowedSymbols: ['BTC/USDT', 'ETH/USDT'], maxOrderNotional: undefined, cooldown: undefined, maxOpenPositions: 2 });
    expect(riskLimitsOf(t)).not.toHaveProperty('maxOrderNotional');
  });

  it('lists every bad trading value at once', () => {
    const problems = problemsOf({ TRADING_MODE: 'yolo', PAPER_STARTING_BALANCE: 'lots', MAX_DRAWDOWN_PCT: '-3', TAKER_FEE_RATE: '1%', ALLOWED_SYMBOLS: 'BTC' });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/PAPER_STARTING_BALANCE .*"lots" is not ASSET=AMOUNT/);
    expect(problems.join('\n')).toMatch(/MAX_DRAWDOWN_PCT .*positive number, or off/);
  });

  it('refuses TRADING_MODE=live without an API key and secret, naming both, alongside other problems', () => {
    const problems = problemsOf({ TRADING_MODE: 'live', LOG_LEVEL: 'loud' });
    expect(problems).toEqual([
      expect.stringMatching(/^LOG_LEVEL/),
      'EXCHANGE_API_KEY: is required when TRADING_MODE=live (an API key allowed to trade, never to withdraw)',
      'EXCHANGE_API_SECRET: is required when TRADING_MODE=live (an API key allowed to trade, never to withdraw)',
    ]);
    expect(loadConfig({ TRADING_MODE: 'live', EXCHANGE_API_KEY: 'k', EXCHANGE_API_SECRET: 's' }).trading.mode).toBe('live');
  });

  it('never writes the exchange API key or secret to the logs', () => {
    const log = memoryLog();
    const logger = createLogger({ level: 'info', pretty: false, destination: log.stream });
    const config = loadConfig({ TRADING_MODE: 'live', EXCHANGE_API_KEY: 'APIKEYVALUE123', EXCHANGE_API_SECRET: 'APISECRETVALUE456' });
    logger.info({ config }, 'config loaded');
    logger.info(config, 'config at the top level');
    logger.child({ exchangeApiKey: config.exchangeApiKey }).info({ exchangeApiSecret: config.exchangeApiSecret }, 'child');
    const text = log.lines.join('\n');
    expect(text).not.toContain('APIKEYVALUE123');
    expect(text).not.toContain('APISECRETVALUE456');
    expect(text.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(6);
  });
});
