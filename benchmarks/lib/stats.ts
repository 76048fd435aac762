// Statistics for the A/B benchmark: percentiles, medians and a seeded bootstrap interval of the
// median of paired ratios. Pure functions; the seed makes every interval reproducible.

/** The p-quantile (0..1) of a sorted array, by nearest rank; NaN for an empty array. */
export function quantile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) { return NaN }
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[i]
}

/** The median, averaging the two middle values of an even-sized sample. */
export function median (values: readonly number[]): number {
  if (values.length === 0) { return NaN }
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** mulberry32: a small seeded generator, enough for resampling indices. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface RatioSummary {
  /** median of the per-pair ratios */
  median: number
  /** 95% percentile-bootstrap interval of that median */
  lo: number
  hi: number
  n: number
}

/**
 * Median of per-pair ratios with a 95% percentile bootstrap interval (resampling pairs with
 * replacement, `rounds` times, from a seeded generator). Non-finite ratios are dropped.
 */
export function bootstrapMedianRatio (ratios: readonly number[], seed = 1, rounds = 10_000): RatioSummary {
  const xs = ratios.filter(Number.isFinite)
  if (xs.length === 0) { return { median: NaN, lo: NaN, hi: NaN, n: 0 } }
  const rand = seededRandom(seed)
  const meds = new Float64Array(rounds)
  const sample = new Array<number>(xs.length)
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < xs.length; i++) { sample[i] = xs[Math.floor(rand() * xs.length)] }
    meds[r] = median(sample)
  }
  meds.sort()
  return { median: median(xs), lo: quantile(Array.from(meds), 0.025), hi: quantile(Array.from(meds), 0.975), n: xs.length }
}

/** ABBA order for `pairs` pairs: A B B A A B B A … (A = ours, B = reference). */
export function abbaOrder (pairs: number): Array<'A' | 'B'> {
  const order: Array<'A' | 'B'> = []
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) { order.push('A', 'B') } else { order.push('B', 'A') }
  }
  return order
}

/** A win is claimed only when the whole interval is on the good side of 1. */
export function verdict (s: RatioSummary, higherIsBetter: boolean): 'win' | 'loss' | 'inconclusive' {
  if (!(s.n > 0)) { return 'inconclusive' }
  const good = higherIsBetter ? s.lo > 1 : s.hi < 1
  const bad = higherIsBetter ? s.hi < 1 : s.lo > 1
  if (good) { return 'win' }
  return bad ? 'loss' : 'inconclusive'
}
