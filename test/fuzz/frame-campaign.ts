// The frame fuzz campaign: valid, structure-aware and mutated frames from several peers through
// FrameReader → decodeRpc → message ids (as the adapter computes them) → one Router, with
// heartbeats interleaved, validation verdicts (some late) and invariants checked after every frame.

import { Buffer } from 'node:buffer'
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { contentMsgId, defaultMsgId } from '../../src/adapter/msgid.ts'
import { CodecError, FrameReader, decodeRpc, encodeMessage } from '../../src/codec/index.ts'
import { validateRouterConfig } from '../../src/config.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import { SeededRng } from '../../src/core/rng.ts'
import { Router } from '../../src/core/router.ts'
import { FloodsubID, GossipsubIDv10, GossipsubIDv11, GossipsubIDv12, GossipsubIDv13 } from '../../src/core/types.ts'
import { testPeerIds } from '../core/harness.ts'
import { mcacheBytesOk } from './bounds.ts'
import { Checker } from './checker.ts'
import { MUTATIONS, corpus, mutate, seqno, varint } from './wire.ts'
import type { RouterOptions } from '../../src/config.ts'
import type { MsgIdKey, RouterMessage, ValidationResult } from '../../src/core/types.ts'
import type { DecodedMessage } from '../../src/types.ts'

export const FRAME_ROUTER_OPTIONS: RouterOptions = {
  heartbeatInterval: 700,
  heartbeatInitialDelay: 100,
  seenTTL: 30_000,
  seenMaxEntries: 4000,
  mcacheMaxMessages: 500,
  mcacheMaxBytes: 256 * 1024,
  maxPeerTopics: 50,
  maxPeerTopicBytes: 200_000,
  maxPendingValidations: 200,
  maxPendingDials: 8,
  idontwantMaxStored: 300,
  maxIHaveLength: 400,
  doPX: true,
  testExtension: true,
  scoreThresholds: { acceptPXThreshold: 0 }
}

const PEERS: Array<{ key: string, protocol: string, outbound: boolean }> = [
  { key: 'p0', protocol: GossipsubIDv13, outbound: true },
  { key: 'p1', protocol: GossipsubIDv12, outbound: false },
  { key: 'p2', protocol: GossipsubIDv12, outbound: true },
  { key: 'p3', protocol: GossipsubIDv11, outbound: false },
  { key: 'p4', protocol: GossipsubIDv10, outbound: false },
  { key: 'p5', protocol: FloodsubID, outbound: false },
  { key: 'p6', protocol: GossipsubIDv13, outbound: false },
  { key: 'p7', protocol: GossipsubIDv12, outbound: false }
]
/** topics whose messages are unsigned and get content ids (the adapter's StrictNoSign path) */
const CONTENT_ID_TOPICS = new Set(['c', 'd', 'e'])

export interface CampaignResult {
  frames: number
  decoded: number
  codecErrors: Record<string, number>
  /** bodies handed to decodeRpc (a frame may be cut into none or several) */
  bodies: number
  heartbeats: number
  deliveries: number
  maxFrameMs: number
  /** size of the slowest frame, and the frame */
  slowestFrameBytes: number
  slowest?: { frame: Uint8Array, peer: string, error: string }
  maxHeartbeatMs: number
  wallMs: number
  violations: string[]
  /** inputs that threw something other than CodecError, or broke an invariant */
  failures: Array<{ frame: Uint8Array, peer: string, error: string }>
}

/** The id the adapter would give a decoded message (from ‖ seqno, or sha256 of the data). */
export function adapterMessage (m: DecodedMessage): RouterMessage {
  const id = CONTENT_ID_TOPICS.has(m.topic) ? contentMsgId(m.data) : defaultMsgId(m)
  return Object.assign(m, { id, idKey: msgIdKey(id) })
}

const VERDICTS: ValidationResult[] = ['reject', 'ignore', 'accept', 'accept', 'accept']

/** A deterministic verdict per id, so one id is never both valid and invalid. */
function verdictOf (k: MsgIdKey): ValidationResult {
  let h = 0
  for (let i = 0; i < k.length; i++) { h = (h * 31 + k.charCodeAt(i)) | 0 }
  return VERDICTS[(h >>> 0) % VERDICTS.length]
}

/** One router with its peers connected and the invariant checker on its outputs. */
export class FrameTarget {
  readonly router: Router
  readonly checker: Checker
  readonly config = validateRouterConfig(FRAME_ROUTER_OPTIONS)
  now = 5_000_000
  private readonly readers = new Map<string, FrameReader>()
  private readonly late: MsgIdKey[] = []
  private published = 0
  codecErrors: Record<string, number> = {}
  decoded = 0
  bodies = 0
  maxHeartbeatMs = 0

  constructor (seed: number) {
    this.router = new Router({ config: this.config, localPeer: 'me', rng: new SeededRng(seed), peerIds: testPeerIds, now: this.now })
    this.checker = new Checker({ router: this.router, config: this.config })
    for (const t of ['a', 'b', 'c']) { this.router.subscribe(t, this.now) }
    for (const p of PEERS) { this.connect(p.key) }
    this.drain()
  }

  connect (key: string): void {
    const p = PEERS.find(x => x.key === key)
    if (p === undefined) { return }
    this.router.addPeer(p.key, { protocol: p.protocol, outbound: p.outbound }, this.now)
    this.readers.set(p.key, new FrameReader())
  }

  peerKeys (): string[] { return PEERS.map(p => p.key) }

  /** Takes the router's outputs, answers validations (some later), and checks invariants. */
  drain (): void {
    for (let round = 0; round < 4; round++) {
      const outs = this.router.takeOutputs()
      if (outs.length === 0) { break }
      this.checker.outputs(outs, this.now)
      for (const o of outs) {
        if (o.type !== 'validate') { continue }
        if ((o.msg.idKey.charCodeAt(o.msg.idKey.length - 1) & 3) === 0) {
          this.late.push(o.msg.idKey)
        } else {
          this.report(o.msg.idKey)
        }
      }
    }
    this.checker.sizes(this.now)
    const z = this.router.sizes()
    if (!mcacheBytesOk(this.config, z.mcache, z.mcacheBytes)) { this.checker.fail(`mcacheBytes=${z.mcacheBytes} > mcacheMaxBytes`) }
  }

  private report (k: MsgIdKey): void {
    const v = verdictOf(k)
    this.checker.verdict(k, v)
    this.router.reportValidation(k, v, this.now, v === 'reject' ? 'validator-reject' : undefined)
  }

  /** Bytes arriving on `peer`'s stream: framed bodies are decoded and handed to the router. */
  receive (peer: string, bytes: Uint8Array): void {
    const reader = this.readers.get(peer)
    if (reader === undefined) { return }
    reader.push(bytes)
    for (;;) {
      let body: Uint8Array | undefined
      try {
        body = reader.next()
      } catch (err) {
        if (!(err instanceof CodecError)) { throw err }
        this.count(err)
        // the adapter resets the stream; the peer opens a new one
        this.readers.set(peer, new FrameReader())
        return
      }
      if (body === undefined) { return }
      this.bodies++
      // a frame that fails to decode resets the stream (as the adapter does): leftovers are dropped
      if (!this.body(peer, body)) {
        this.readers.set(peer, new FrameReader())
        return
      }
    }
  }

  /** False when the body did not decode. */
  private body (peer: string, body: Uint8Array): boolean {
    let rpc
    try {
      rpc = decodeRpc(body).rpc
    } catch (err) {
      if (!(err instanceof CodecError)) { throw err }
      // a decoder bug wrapped as CodecError is still a bug
      if (err.limit === 'internal') { throw new Error(`decoder internal error: ${err.message}`) }
      this.count(err)
      return false
    }
    this.decoded++
    if (!this.router.acceptsRpcFrom(peer)) { return true }
    const messages = rpc.messages.map(adapterMessage)
    this.router.handleRpc(peer, { subscriptions: rpc.subscriptions, messages, control: rpc.control, testExtension: rpc.testExtension }, this.now)
    this.drain()
    return true
  }

  private count (err: CodecError): void {
    const k = `${err.code}:${err.limit}`
    this.codecErrors[k] = (this.codecErrors[k] ?? 0) + 1
  }

  /** Time passes; heartbeats run; late verdicts arrive; now and then we publish. */
  advance (ms: number): void {
    const end = this.now + ms
    for (;;) {
      const d = this.router.nextDeadline()
      if (d > end) { break }
      this.now = Math.max(this.now, d)
      const t0 = performance.now()
      this.router.handleTimeout(this.now)
      this.maxHeartbeatMs = Math.max(this.maxHeartbeatMs, performance.now() - t0)
      this.drain()
    }
    this.now = end
    for (const k of this.late.splice(0, this.late.length)) { this.report(k) }
    const n = this.published++
    const topic = n % 3 === 0 ? 'd' : 'a'
    const data = new Uint8Array(n % 7 === 0 ? 2048 : 32).fill(n & 0xff)
    const wire = { topic, from: new TextEncoder().encode('me'), seqno: seqno(n % 64), data }
    const id = CONTENT_ID_TOPICS.has(topic) ? contentMsgId(data) : defaultMsgId(wire)
    if (!this.router.publish({ ...wire, id, idKey: msgIdKey(id), raw: encodeMessage(wire) }, this.now).duplicate) { this.checker.published(msgIdKey(id)) }
    this.drain()
  }
}

/** Wraps a body in a frame; sometimes with a broken length prefix. */
function frameOf (rng: SeededRng, body: Uint8Array): Uint8Array {
  const r = rng.next()
  const prefix = r < 0.01
    ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] // over-long prefix
    : r < 0.02
      ? varint(1 + 1048576 + rng.int(1 << 30)) // over maxTransmitSize
      : r < 0.03
        ? varint(body.length + 1 + rng.int(64)) // claims more than follows
        : varint(body.length)
  const out = new Uint8Array(prefix.length + body.length)
  out.set(prefix)
  out.set(body, prefix.length)
  return out
}

export interface CampaignOptions {
  frames: number
  seed: number
  /** valid frames drawn from the fast-check RPC arbitrary */
  corpusSize?: number
  /** called with progress every 10 000 frames */
  progress?(done: number, r: CampaignResult): void
}

/** Runs the campaign; every frame is timed and every failure is kept with its input. */
export function runFrameCampaign (opts: CampaignOptions): CampaignResult {
  const rng = new SeededRng(opts.seed)
  const frames = corpus(opts.corpusSize ?? 1500, opts.seed)
  const target = new FrameTarget(opts.seed)
  const peers = target.peerKeys()
  const res: CampaignResult = { frames: 0, decoded: 0, codecErrors: {}, bodies: 0, heartbeats: 0, deliveries: 0, maxFrameMs: 0, slowestFrameBytes: 0, maxHeartbeatMs: 0, wallMs: 0, violations: [], failures: [] }
  const start = performance.now()
  let kept = 0
  let slowest: CampaignResult['failures'][number] | undefined
  for (let i = 0; i < opts.frames; i++) {
    let body = frames[rng.int(frames.length)]
    const r = rng.next()
    // a quarter of the frames are valid as drawn; the rest get one to three mutations
    if (r >= 0.25) {
      for (let k = 1 + rng.int(3); k > 0; k--) {
        const m = MUTATIONS[rng.int(MUTATIONS.length)]
        // the expensive ones (hundreds of KB) are rare
        if ((m === 'hugeCount' || m === 'hugeField') && rng.next() < 0.95) { continue }
        body = mutate(rng, body, m, frames[rng.int(frames.length)])
      }
    }
    const peer = peers[rng.int(peers.length)]
    const bytes = frameOf(rng, body)
    const t0 = performance.now()
    try {
      // bytes arrive in one chunk or in two to four pieces
      const pieces = rng.int(4)
      if (pieces === 0 || bytes.length < 4) {
        target.receive(peer, bytes)
      } else {
        let at = 0
        for (let p = 0; p < pieces && at < bytes.length; p++) {
          const to = p === pieces - 1 ? bytes.length : at + 1 + rng.int(bytes.length - at)
          target.receive(peer, bytes.subarray(at, to))
          at = to
        }
      }
    } catch (err) {
      if (res.failures.length < 50) { res.failures.push({ frame: body, peer, error: String((err as Error)?.stack ?? err) }) }
    }
    const ms = performance.now() - t0
    if (ms > res.maxFrameMs) {
      res.maxFrameMs = ms
      res.slowestFrameBytes = bytes.length
      slowest = { frame: body, peer, error: `slowest frame: ${ms.toFixed(1)} ms` }
    }
    if (target.checker.violations.length > kept) {
      kept = target.checker.violations.length
      if (res.failures.length < 50) { res.failures.push({ frame: body, peer, error: target.checker.violations[kept - 1] }) }
    }
    res.frames++
    if (rng.next() < 0.02) { target.advance(rng.int(3 * target.config.heartbeatInterval)) }
    if (rng.next() < 0.001) {
      // a peer leaves and comes back
      const p = peers[rng.int(peers.length)]
      target.router.removePeer(p, target.now)
      target.drain()
      target.connect(p)
      target.drain()
    }
    if (opts.progress !== undefined && res.frames % 10_000 === 0) { opts.progress(res.frames, finish(res, target, start)) }
  }
  res.slowest = slowest
  return finish(res, target, start)
}

function finish (res: CampaignResult, t: FrameTarget, start: number): CampaignResult {
  res.decoded = t.decoded
  res.bodies = t.bodies
  res.codecErrors = { ...t.codecErrors }
  res.heartbeats = t.checker.heartbeats
  res.deliveries = t.checker.deliveries
  res.maxHeartbeatMs = t.maxHeartbeatMs
  res.violations = [...t.checker.violations]
  res.wallMs = performance.now() - start
  return res
}

export interface Fixture {
  /** the peer whose stream carried the frame */
  peer: string
  /** the frame body (without its length prefix), hex */
  hex: string
  /** what went wrong when it was found, or why it is kept */
  note: string
}

export const FIXTURE_DIR = new URL('./fixtures/', import.meta.url)

/** Writes each failure as a regression fixture; returns the file names. */
export function saveFailures (failures: CampaignResult['failures'], tag: string): string[] {
  mkdirSync(FIXTURE_DIR, { recursive: true })
  return failures.map((f, i) => {
    const name = `found-${tag}-${i}.json`
    const fx: Fixture = { peer: f.peer, hex: Buffer.from(f.frame).toString('hex'), note: f.error.split('\n')[0] }
    writeFileSync(new URL(name, FIXTURE_DIR), JSON.stringify(fx, null, 1) + '\n')
    return name
  })
}

/** Every stored fixture. */
export function loadFixtures (): Array<{ name: string, fixture: Fixture }> {
  return readdirSync(FIXTURE_DIR).filter(n => n.endsWith('.json')).sort().map(name => ({
    name,
    fixture: JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), 'utf8')) as Fixture
  }))
}

/** Replays one fixture on a fresh target: its frame, then two heartbeats; returns the violations. */
export function replayFixture (fx: Fixture, seed = 1): string[] {
  const t = new FrameTarget(seed)
  const body = Uint8Array.from(Buffer.from(fx.hex, 'hex'))
  const prefix = varint(body.length)
  const frame = new Uint8Array(prefix.length + body.length)
  frame.set(prefix)
  frame.set(body, prefix.length)
  t.receive(fx.peer, frame)
  t.advance(2 * t.config.heartbeatInterval)
  return t.checker.violations
}
