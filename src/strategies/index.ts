export { bollingerReversion } from './bollinger-reversion.js';
export { CONFLUENCE_COMPONENTS, confluence, explainConfluence } from './confluence.js';
export type { ConfluenceComponent, ConfluenceExplanation, ConfluenceParams } from './confluence.js';
export { defineStrategy, intParam, modeParam, numberParam, paramSchema } from './define.js';
export { donchianBreakout } from './donchian-breakout.js';
export { emaCross, smaCross } from './ma-cross.js';
export { macdCross } from './macd-cross.js';
export {
  getStrategy,
  listStrategies,
  parseStrategyParams,
  runStrategy,
  strategyParamSpace,
  strategyUsage,
} from './registry.js';
export { rsiReversion } from './rsi-reversion.js';
export type {
  ChoiceParamSpec,
  IndicatorCache,
  NumericParamSpec,
  ParamConstraint,
  ParamSpace,
  ParamSpec,
  ParamsOf,
  Strategy,
  StrategyParams,
  StrategyResult,
} from './types.js';
