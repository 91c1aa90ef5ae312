"""Peer benchmark: backtesting.py on a freqtrade JSON candle file with SmaCross (bt.py's _test.py strategy).

Usage: python3 bench/backtest_py_peer.py FILE.json [--fast 10] [--slow 30] [--cash 100000] [--commission 0.001]
       [--unit 1e-8] [--repeat 3]
Prints one JSON object: run seconds (best of --repeat, wall and process time), # Trades, Equity Final [$], Return [%].
"""
import argparse
import json
import sys
import time
import warnings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument('file')
    parser.add_argument('--fast', type=int, default=10)
    parser.add_argument('--slow', type=int, default=30)
    parser.add_argument('--cash', type=float, default=100_000)
    parser.add_argument('--commission', type=float, default=0.001)
    parser.add_argument('--unit', type=float, default=1e-8)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()

    warnings.filterwarnings('ignore')
    import pandas as pd
    import backtesting
    from backtesting import Strategy
    from backtesting.lib import FractionalBacktest, crossover
    from backtesting.test import SMA

    with open(args.file) as f:
        rows = json.load(f)
    df = pd.DataFrame(rows, columns=['t', 'Open', 'High', 'Low', 'Close', 'Volume'])
    df.index = pd.to_datetime(df.pop('t'), unit='ms')

    class SmaCross(Strategy):
        fast = args.fast
        slow = args.slow

        def init(self):
            self.sma1 = self.I(SMA, self.data.Close, self.fast)
            self.sma2 = self.I(SMA, self.data.Close, self.slow)

        def next(self):
            if crossover(self.sma1, self.sma2):
                self.position.close()
                self.buy()
            elif crossover(self.sma2, self.sma1):
                self.position.close()
                self.sell()

    best_wall = best_cpu = float('inf')
    stats = None
    for _ in range(args.repeat):
        bt = FractionalBacktest(df, SmaCross, fractional_unit=args.unit, cash=args.cash,
                                commission=args.commission, finalize_trades=True)
        wall, cpu = time.perf_counter(), time.process_time()
        stats = bt.run()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print(json.dumps({
        'backtesting': backtesting.__version__,
        'pandas': pd.__version__,
        'bars': len(df),
        'wallSeconds': best_wall,
        'cpuSeconds': best_cpu,
        'trades': int(stats['# Trades']),
        'equityFinal': float(stats['Equity Final [$]']),
        'returnPct': float(stats['Return [%]']),
    }))
    return 0


if __name__ == '__main__':
    sys.exit(main())
