// Interop peer processes: builds the go and rust peers of interop/ into .cache/ when needed,
// spawns them with a JSON config and turns their JSON-lines stdout into awaitable events.

import { spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

export type PeerImpl = 'go' | 'rust'

/** The config both peers accept (interop/README.md describes every field). */
export interface PeerConfig {
  seed?: string | number
  listenPort?: number
  topics?: string[]
  peers?: string[]
  direct?: string[]
  signaturePolicy?: 'StrictSign' | 'StrictNoSign'
  msgId?: 'default' | 'sha256'
  D?: number
  Dlo?: number
  Dhi?: number
  Dlazy?: number
  Dout?: number
  heartbeatMs?: number
  floodPublish?: boolean
  doPX?: boolean
  pruneBackoffMs?: number
  unsubscribeBackoffMs?: number
  idontwantThreshold?: number
  scoring?: boolean
  scoreTopics?: boolean
  scoreInspectMs?: number
  testExtension?: boolean
  traceRpc?: boolean
}

export interface PeerEvent {
  event: string
  [key: string]: unknown
}

export interface ReceivedMessage {
  topic: string
  /** author peer id; absent under StrictNoSign */
  from?: string
  seqno?: string
  /** message id in hex, as the peer computed it */
  msgId: string
  data: Uint8Array
  receivedFrom: string
}

export interface PeerScore {
  score: number
  /** go only: the P7 component (rust exposes only the total) */
  behaviourPenalty?: number
  [key: string]: unknown
}

export type BuildResult = { ok: true, binary: string, built: boolean, ms: number } | { ok: false, reason: string }

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
// MESHSUB_INTEROP_CACHE moves the build output out of the work tree (CI keeps it between clones)
const CACHE = process.env.MESHSUB_INTEROP_CACHE ?? join(ROOT, '.cache')
const GO_DIR = join(ROOT, 'interop/go')
const RUST_DIR = join(ROOT, 'interop/rust')
export const BINARIES: Record<PeerImpl, string> = {
  go: join(CACHE, 'interop/go-peer'),
  rust: join(CACHE, 'rust-target/release/rust-peer')
}

interface RunResult { code: number | null, output: string }

async function run (cmd: string, args: string[], cwd: string, input?: Uint8Array): Promise<RunResult> {
  return new Promise((resolve) => {
    // CARGO_TARGET_DIR wins over interop/rust/.cargo/config.toml, so the binary lands where BINARIES says
    const env = { ...process.env, CARGO_TARGET_DIR: join(CACHE, 'rust-target') }
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    const chunks: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => chunks.push(b))
    child.stderr.on('data', (b: Buffer) => chunks.push(b))
    child.on('error', (err) => { resolve({ code: null, output: err.message }) })
    child.on('close', (code) => { resolve({ code, output: Buffer.concat(chunks).toString() }) })
    child.stdin.end(input)
  })
}

/** True when the toolchain that builds this peer is on PATH. */
export async function toolchainAvailable (impl: PeerImpl): Promise<boolean> {
  const res = impl === 'go' ? await run('go', ['version'], ROOT) : await run('cargo', ['--version'], ROOT)
  return res.code === 0
}

function newestSource (dir: string): number {
  let newest = 0
  for (const name of readdirSync(dir)) {
    if (/\.(go|mod|sum)$/.test(name)) {
      newest = Math.max(newest, statSync(join(dir, name)).mtimeMs)
    }
  }
  return newest
}

async function build (impl: PeerImpl): Promise<BuildResult> {
  if (!await toolchainAvailable(impl)) {
    return { ok: false, reason: `${impl === 'go' ? 'go' : 'cargo'} not found on PATH: ${impl} interop skipped` }
  }
  const binary = BINARIES[impl]
  const started = Date.now()
  let res: RunResult
  if (impl === 'go') {
    if (existsSync(binary) && statSync(binary).mtimeMs >= newestSource(GO_DIR)) {
      return { ok: true, binary, built: false, ms: 0 }
    }
    res = await run('nice', ['-n', '19', 'go', 'build', '-p', '2', '-o', binary, '.'], GO_DIR)
  } else {
    // cargo decides itself what is stale; a no-op build takes well under a second
    res = await run('nice', ['-n', '19', 'cargo', 'build', '--release', '--locked', '-j', '2'], RUST_DIR)
  }
  if (res.code !== 0 || !existsSync(binary)) {
    return { ok: false, reason: `${impl} peer build failed (exit ${String(res.code)}):\n${res.output.slice(-4000)}` }
  }
  return { ok: true, binary, built: true, ms: Date.now() - started }
}

const builds = new Map<PeerImpl, Promise<BuildResult>>()

/** Builds the peer once per process (cold builds take minutes; see interop/README.md). */
export async function buildPeer (impl: PeerImpl): Promise<BuildResult> {
  let p = builds.get(impl)
  if (p == null) {
    p = build(impl)
    builds.set(impl, p)
  }
  return p
}

export class InteropPeer {
  readonly impl: PeerImpl
  /** every event line received so far, in order */
  readonly events: PeerEvent[] = []
  /** when each event line was read (performance.now(), ms), same index as `events` */
  readonly times: number[] = []
  private readonly child: ChildProcessWithoutNullStreams
  private readonly waiters = new Set<() => void>()
  private stderr = ''
  private exitCode: number | null | undefined
  private nextId = 1

  constructor (impl: PeerImpl, child: ChildProcessWithoutNullStreams) {
    this.impl = impl
    this.child = child
    createInterface({ input: child.stdout }).on('line', (line) => {
      let ev: PeerEvent
      try {
        ev = JSON.parse(line)
      } catch {
        ev = { event: 'raw', line }
      }
      this.events.push(ev)
      this.times.push(performance.now())
      this.wake()
    })
    child.stderr.on('data', (b: Buffer) => { this.stderr = (this.stderr + b.toString()).slice(-8000) })
    child.on('exit', (code) => {
      this.exitCode = code
      this.wake()
    })
  }

  private wake (): void {
    for (const w of [...this.waiters]) {
      w()
    }
  }

  /** Resolves with the first event (past or future) matching the predicate. */
  async waitFor (predicate: (ev: PeerEvent) => boolean, timeoutMs = 10_000, what = 'event'): Promise<PeerEvent> {
    return new Promise((resolve, reject) => {
      let seen = 0
      const check = (): void => {
        for (; seen < this.events.length; seen++) {
          if (predicate(this.events[seen])) {
            done()
            resolve(this.events[seen])
            return
          }
        }
        if (this.exitCode !== undefined) {
          done()
          const errors = this.events.filter((e) => e.event === 'error').map((e) => `${String(e.context)}: ${String(e.error)}`)
          reject(new Error(`${this.impl} peer exited (${String(this.exitCode)}) while waiting for ${what}; errors: ${errors.join('; ')}; stderr: ${this.stderr.slice(-2000)}`))
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`${this.impl} peer: timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(check)
      }
      this.waiters.add(check)
      check()
    })
  }

  async ready (timeoutMs = 10_000): Promise<{ peerId: string, addrs: string[] }> {
    const ev = await this.waitFor((e) => e.event === 'ready', timeoutMs, 'ready')
    return { peerId: ev.peerId as string, addrs: ev.addrs as string[] }
  }

  /** Sends a command and resolves with its reply event (an error reply rejects). */
  async command (cmd: Record<string, unknown>, reply: string, timeoutMs = 10_000): Promise<PeerEvent> {
    const id = this.nextId++
    this.child.stdin.write(JSON.stringify({ ...cmd, id }) + '\n')
    const ev = await this.waitFor((e) => e.id === id && (e.event === reply || e.event === 'error'), timeoutMs, `${String(cmd.cmd)} reply`)
    if (ev.event === 'error') {
      throw new Error(`${this.impl} peer: ${String(cmd.cmd)} failed: ${String(ev.error)}`)
    }
    return ev
  }

  /** Publishes and resolves with the message id (hex) the peer assigned. */
  async publish (topic: string, data: Uint8Array | string): Promise<string> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
    const ev = await this.command({ cmd: 'publish', topic, data: Buffer.from(bytes).toString('base64') }, 'published')
    return ev.msgId as string
  }

  async subscribe (topic: string): Promise<void> {
    await this.command({ cmd: 'subscribe', topic }, 'ok')
  }

  async unsubscribe (topic: string): Promise<void> {
    await this.command({ cmd: 'unsubscribe', topic }, 'ok')
  }

  /** Dials a multiaddr ending in /p2p/<id>; resolves once connected. */
  async dial (addr: string): Promise<void> {
    await this.command({ cmd: 'dial', addr }, 'connected')
  }

  /** Peer ids in this peer's mesh for the topic. */
  async mesh (topic: string): Promise<string[]> {
    return (await this.command({ cmd: 'mesh', topic }, 'mesh')).peers as string[]
  }

  /** Peer ids this peer knows to be subscribed to the topic. */
  async topicPeers (topic: string): Promise<string[]> {
    return (await this.command({ cmd: 'peers', topic }, 'peers')).peers as string[]
  }

  /** Scores by peer id (needs `scoring: true`; go's values are from its last inspect tick). */
  async scores (): Promise<Record<string, PeerScore>> {
    return (await this.command({ cmd: 'scores' }, 'scores')).scores as Record<string, PeerScore>
  }

  /** Messages received from the network so far (own publishes are not included). */
  messages (): ReceivedMessage[] {
    return this.events.filter((e) => e.event === 'message').map(toMessage)
  }

  async waitForMessage (predicate: (m: ReceivedMessage) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMessage> {
    const ev = await this.waitFor((e) => e.event === 'message' && predicate(toMessage(e)), timeoutMs, 'message')
    return toMessage(ev)
  }

  /** Asks the peer to quit, then terminates it if it does not exit within 2 s. */
  async close (): Promise<void> {
    if (this.exitCode !== undefined) {
      return
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => { resolve() }))
    this.child.stdin.end(JSON.stringify({ cmd: 'quit' }) + '\n')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000)
    await exited
    clearTimeout(timer)
  }
}

function toMessage (e: PeerEvent): ReceivedMessage {
  return {
    topic: e.topic as string,
    from: e.from as string | undefined,
    seqno: e.seqno as string | undefined,
    msgId: e.msgId as string,
    data: new Uint8Array(Buffer.from(e.data as string, 'base64')),
    receivedFrom: e.receivedFrom as string
  }
}

/** Builds (if needed) and starts a peer; call ready() before using its addresses. */
export async function startPeer (impl: PeerImpl, config: PeerConfig = {}): Promise<InteropPeer> {
  const b = await buildPeer(impl)
  if (!b.ok) {
    throw new Error(b.reason)
  }
  const child = spawn(b.binary, ['-config-json', JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] })
  return new InteropPeer(impl, child)
}

/** Runs the go peer's golden writer: DIR/NAME.bin (bare RPC bytes) and DIR/NAME.json. */
export async function writeGoGolden (dir: string): Promise<void> {
  const b = await buildPeer('go')
  if (!b.ok) {
    throw new Error(b.reason)
  }
  const res = await run(b.binary, ['-golden', dir], ROOT)
  if (res.code !== 0) {
    throw new Error(`go golden writer failed: ${res.output}`)
  }
}

/** Decodes bare RPC protobuf bytes with go-libp2p-pubsub's pb package (same JSON as NAME.json). */
export async function decodeWithGo (rpc: Uint8Array): Promise<Record<string, unknown>> {
  const b = await buildPeer('go')
  if (!b.ok) {
    throw new Error(b.reason)
  }
  const res = await run(b.binary, ['-decode', '-'], ROOT, rpc)
  if (res.code !== 0) {
    throw new Error(`go could not decode the RPC: ${res.output}`)
  }
  return JSON.parse(res.output)
}
