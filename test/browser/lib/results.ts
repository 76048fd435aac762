// Per-test results of a browser run: printed as they arrive, counted for the exit code.

/* eslint-disable no-console -- the harness reports on stdout */

export class Results {
  passed = 0
  failed: Array<{ title: string, error: string }> = []

  pass (title: string, ms?: number): void {
    this.passed++
    console.log(`  ✔ ${title}${ms !== undefined && ms >= 100 ? ` (${Math.round(ms)} ms)` : ''}`)
  }

  fail (title: string, error: unknown): void {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
    this.failed.push({ title, error: text })
    console.log(`  ✘ ${title}\n      ${text.split('\n').slice(0, 6).join('\n      ')}`)
  }

  /** runs one test case: passes if `fn` resolves, fails with its error otherwise */
  async test (title: string, fn: () => Promise<void>): Promise<void> {
    const start = performance.now()
    try {
      await fn()
      this.pass(title, performance.now() - start)
    } catch (err) {
      this.fail(title, err)
    }
  }

  summary (): string {
    const lines = [`${this.passed} passing, ${this.failed.length} failing`]
    for (const f of this.failed) { lines.push(`  ✘ ${f.title}`) }
    return lines.join('\n')
  }
}

/** Rejects after `ms` with `what` in the message, unless `p` settles first. */
export async function within<T> (p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what}: no result within ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}
