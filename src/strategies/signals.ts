/** The target a short signal maps to: −1 in `long_short` mode, 0 (flat) in `long_only` mode. */
export function shortTarget(mode: 'long_short' | 'long_only'): -1 | 0 {
  return mode === 'long_only' ? 0 : -1;
}

/**
 * Targets from comparing two series bar by bar: +1 while a > b, `short` while a < b, the previous target while they
 * are equal (no cross happened), and 0 while either is NaN (before both are defined).
 */
export function crossTargets(a: Float64Array, b: Float64Array, short: -1 | 0): Int8Array {
  const n = a.length;
  const targets = new Int8Array(n);
  let target = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) target = 0;
    else if (x > y) target = 1;
    else if (x < y) target = short;
    targets[i] = target;
  }
  return targets;
}
