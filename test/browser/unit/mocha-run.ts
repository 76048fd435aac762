// Mocha inside the browser bundle: set up before the specs are imported (this module is the
// bundle's first import); results go to the harness one event per test, from a page or a worker.

declare const mocha: {
  setup(opts: Record<string, unknown>): void
  run(fn?: (failures: number) => void): unknown
}

export interface TestEvent {
  kind: 'pass' | 'fail' | 'end'
  /** on 'end': where the specs ran, so the harness can check a worker run really was in a worker */
  scope?: 'worker' | 'page'
  title?: string
  ms?: number
  error?: string
}

type Report = (ev: TestEvent) => void

const g = globalThis as unknown as { __meshsubReport?: Report, postMessage?(msg: unknown): void, WorkerGlobalScope?: unknown }

/** to the page's exposed binding, or from a worker to its page (which forwards it) */
function send (ev: TestEvent): void {
  if (typeof g.__meshsubReport === 'function') {
    g.__meshsubReport(ev)
  } else if (g.WorkerGlobalScope !== undefined && g.postMessage !== undefined) {
    g.postMessage(ev)
  }
}

interface MochaTest { fullTitle(): string, duration?: number }
interface MochaRunner { on(event: string, fn: (test: MochaTest, err?: Error) => void): void }

/** The error's message and stack (Firefox's `stack` holds only the frames, not the message). */
function errorText (err: Error | undefined): string {
  if (err === undefined) { return 'unknown error' }
  const stack = err.stack ?? ''
  return stack.includes(err.message) ? stack : `${err.name}: ${err.message}\n${stack}`
}

/** A reporter that only forwards: the DOM reporter cannot run in a worker. */
function Forwarder (runner: MochaRunner): void {
  runner.on('pass', (test) => { send({ kind: 'pass', title: test.fullTitle(), ms: test.duration }) })
  runner.on('fail', (test, err) => { send({ kind: 'fail', title: test.fullTitle(), error: errorText(err) }) })
  runner.on('end', () => { send({ kind: 'end', scope: g.WorkerGlobalScope !== undefined && typeof (globalThis as { document?: unknown }).document === 'undefined' ? 'worker' : 'page' }) })
}

mocha.setup({ ui: 'bdd', timeout: 60_000, reporter: Forwarder })

export function run (): void {
  mocha.run()
}
