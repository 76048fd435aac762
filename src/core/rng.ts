// Seedable randomness for the pure core: every random choice of the router goes through an Rng,
// so the same seed and inputs give the same outputs. Production seeds it from crypto.getRandomValues.

/** The random source the core is given. */
export interface Rng {
  /** a uniformly distributed float in [0, 1) */
  next(): number
  /** a uniformly distributed integer in [0, n) */
  int(n: number): number
}

/** sfc32 (Small Fast Chaotic, 128-bit state): fast, passes PractRand, good enough for peer choice. */
export class SeededRng implements Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (seed: number | Uint32Array) {
    const s = typeof seed === 'number' ? [0x9e3779b9, 0x243f6a88, 0xb7e15162, seed >>> 0] : seed
    this.a = (s[0] ?? 0) >>> 0
    this.b = (s[1] ?? 0) >>> 0
    this.c = (s[2] ?? 0) >>> 0
    this.d = (s[3] ?? 1) >>> 0
    // warm up so nearby seeds diverge
    for (let i = 0; i < 15; i++) { this.nextUint32() }
  }

  nextUint32 (): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t
  }

  next (): number {
    return this.nextUint32() / 4294967296
  }

  int (n: number): number {
    return Math.floor(this.next() * n)
  }
}

/** Shuffles `arr` in place (Fisher–Yates) and returns it. */
export function shuffle<T> (rng: Rng, arr: T[]): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const tmp = arr[i]
    arr[i] = arr[j]
    arr[j] = tmp
  }
  return arr
}

/** Returns up to `n` distinct elements of `arr` chosen at random (does not modify `arr`). */
export function sample<T> (rng: Rng, arr: readonly T[], n: number): T[] {
  const copy = arr.slice()
  if (n >= copy.length) { return shuffle(rng, copy) }
  // partial Fisher–Yates: only the first n positions are needed
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(copy.length - i)
    const tmp = copy[i]
    copy[i] = copy[j]
    copy[j] = tmp
  }
  copy.length = n
  return copy
}
