import { randomInt } from 'node:crypto';

/** A source of uniform numbers in [0, 1); injected wherever jitter or sampling is needed. */
export type RandomSource = () => number;

/** A deterministic generator (mulberry32) for a 32-bit seed: the same seed gives the same sequence. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Uniform numbers in [0, 1) from the operating system's cryptographic generator. */
export const cryptoRandom: RandomSource = () => randomInt(0, 2 ** 48 - 1) / 2 ** 48;
