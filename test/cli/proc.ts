// Test helper: runs the CLI entry points (src/cli/*.ts) as child processes of this Node and
// collects their output, with waits on stdout/stderr patterns.

import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url))
export const DEMO = fileURLToPath(new URL('../../src/cli/demo.ts', import.meta.url))

export interface Proc {
  child: ChildProcessWithoutNullStreams
  stdout: string
  stderr: string
  exit: Promise<number | null>
  /** resolves with the first match of `re` in the stream; rejects after `timeout` ms or on exit */
  waitFor(stream: 'stdout' | 'stderr', re: RegExp, timeout?: number): Promise<RegExpMatchArray>
}

export function run (script: string, args: string[], opts: { execPath?: string, detached?: boolean } = {}): Proc {
  const child = spawn(opts.execPath ?? process.execPath, [script, ...args], { stdio: 'pipe', detached: opts.detached })
  const waiters = new Set<() => void>()
  const p: Proc = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise(resolve => { child.on('exit', code => { resolve(code); for (const w of waiters) { w() } }) }),
    async waitFor (stream, re, timeout = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = p[stream].match(re)
          if (m !== null) {
            done()
            resolve(m)
          } else if (child.exitCode !== null) {
            done()
            reject(new Error(`exited (${child.exitCode}) before ${String(re)} on ${stream}:\n${p.stderr}`))
          }
        }
        const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${String(re)} on ${stream}; stderr:\n${p.stderr}`)) }, timeout)
        const done = (): void => { clearTimeout(timer); waiters.delete(check) }
        waiters.add(check)
        check()
      })
    }
  }
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8')
    child[stream].on('data', (s: string) => { p[stream] += s; for (const w of [...waiters]) { w() } })
  }
  return p
}

/**
 * Runs to completion and returns its exit code and output. A process still running after `timeout`
 * ms is killed: its code is then null and `killed` says so (a Node start with type stripping takes
 * seconds on a loaded 2-core machine, several at once far more: keep the timeout generous).
 */
export async function runToEnd (script: string, args: string[], timeout = 120_000): Promise<{ code: number | null, stdout: string, stderr: string, killed?: string }> {
  const p = run(script, args)
  const started = Date.now()
  let killed: string | undefined
  const timer = setTimeout(() => {
    killed = `killed after ${timeout} ms (${script} ${args.join(' ')})`
    p.child.kill('SIGKILL')
  }, timeout)
  const code = await p.exit
  clearTimeout(timer)
  return { code, stdout: p.stdout, stderr: p.stderr, killed: killed ?? (code === null ? `ended by a signal after ${Date.now() - started} ms` : undefined) }
}
