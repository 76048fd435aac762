// Interop test nodes of all four implementations behind one interface: meshsub and @libp2p/gossipsub
// 17 in this process (real libp2p over TCP), go and rust as child processes (peers.ts).

import { createHash } from 'node:crypto'
import { gossipsub as reference } from '@libp2p/gossipsub'
import { gossipsub } from '../../src/index.ts'
import { createNode } from '../adapter/nodes.ts'
import { buildPeer, startPeer } from './peers.ts'
import type { InteropPeer, PeerConfig, PeerImpl } from './peers.ts'
import type { GossipSub, GossipsubOpts, Message, TraceEvent } from '../../src/index.ts'
import type { Libp2p, Metrics } from '@libp2p/interface'

export type Impl = 'meshsub' | 'js' | 'go' | 'rust'
export const OTHERS = ['js', 'go', 'rust'] as const

export interface Received {
  topic: string
  /** message id in hex (from ‖ seqno under StrictSign, sha256(data) under StrictNoSign) */
  msgId: string
  from?: string
  /** seqno in hex (signed messages) */
  seqno?: string
  receivedFrom: string
  data: Uint8Array
  /** performance.now() when the test saw it */
  at: number
}

/** Options every implementation understands (the go/rust peer config names). */
export interface NodeOptions {
  seed?: string
  topics?: string[]
  signaturePolicy?: 'StrictSign' | 'StrictNoSign'
  D?: number
  Dlo?: number
  Dhi?: number
  Dout?: number
  Dscore?: number
  Dlazy?: number
  heartbeatMs?: number
  floodPublish?: boolean
  doPX?: boolean
  pruneBackoffMs?: number
  unsubscribeBackoffMs?: number
  testExtension?: boolean
  /** go only: report every RPC */
  traceRpc?: boolean
  /** extra meshsub options */
  meshsub?: GossipsubOpts
  /** extra options of the js reference router */
  js?: Record<string, unknown>
  /**
   * meshsub and js on their own defaults for message ids and scoring (no shared msgIdFn, score
   * params or thresholds); go and rust keep their default id and the P7-only scoring
   */
  defaults?: boolean
}

export interface AnyNode {
  readonly impl: Impl
  readonly peerId: string
  /** a TCP multiaddr ending in /p2p/<id> */
  readonly addr: string
  /** messages delivered from the network (own publishes excluded), in order */
  received(): Received[]
  subscribe(topic: string): Promise<void>
  unsubscribe(topic: string): Promise<void>
  /** publishes (tests tell messages apart by their data) */
  publish(topic: string, data: Uint8Array): Promise<void>
  mesh(topic: string): Promise<string[]>
  topicPeers(topic: string): Promise<string[]>
  dial(addr: string): Promise<void>
  /**
   * The behaviour penalty (raw P7 counter) this node holds against each scored peer. rust exposes
   * only the total score; with only P7 weighted (see interop/README.md) a negative total is a penalty,
   * reported as -score.
   */
  penalties(): Promise<Record<string, number>>
  close(): Promise<void>
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

/** The ids every node in these tests uses: the spec's from ‖ seqno, or sha256(data) when unsigned. */
export function messageId (m: Message): Uint8Array {
  if (m.type === 'signed') {
    const seqno = new Uint8Array(8)
    new DataView(seqno.buffer).setBigUint64(0, m.sequenceNumber)
    const from = m.from.toMultihash().bytes
    const id = new Uint8Array(from.length + 8)
    id.set(from)
    id.set(seqno, from.length)
    return id
  }
  return new Uint8Array(createHash('sha256').update(m.data).digest())
}

/** Scoring as the go and rust peers run it: only P7 weighted, no IP colocation, lenient thresholds. */
const scoreParams = { behaviourPenaltyWeight: -10, behaviourPenaltyDecay: 0.9, behaviourPenaltyThreshold: 0, IPColocationFactorWeight: 0, decayInterval: 1000, decayToZero: 0.01, appSpecificWeight: 0 }
const scoreThresholds = { gossipThreshold: -100, publishThreshold: -200, graylistThreshold: -300, acceptPXThreshold: 0, opportunisticGraftThreshold: 1 }

/** Counter groups the meshsub service reports through libp2p's metrics component, kept in memory. */
export class CapturedMetrics {
  readonly counters = new Map<string, number>()

  get (group: string, label: string): number { return this.counters.get(`${group}/${label}`) ?? 0 }

  component (): Metrics {
    const counterGroup = (name: string): unknown => ({
      increment: (values: Record<string, number | true>) => {
        for (const [k, v] of Object.entries(values)) {
          const key = `${name}/${k}`
          this.counters.set(key, (this.counters.get(key) ?? 0) + (v === true ? 1 : v))
        }
      },
      reset: () => {}
    })
    const noop = (): unknown => ({ observe: () => {}, reset: () => {}, timer: () => () => {}, update: () => {}, increment: () => {}, decrement: () => {} })
    return { registerCounterGroup: counterGroup, registerHistogram: noop, registerMetric: noop, registerMetricGroup: noop } as unknown as Metrics
  }
}

function toReceived (msg: Message, receivedFrom: string): Received {
  const signed = msg.type === 'signed'
  return {
    topic: msg.topic,
    msgId: hex(messageId(msg)),
    from: signed ? msg.from.toString() : undefined,
    seqno: signed ? msg.sequenceNumber.toString(16).padStart(16, '0') : undefined,
    receivedFrom,
    data: msg.data,
    at: performance.now()
  }
}

type MeshsubLibp2p = Libp2p<{ pubsub: GossipSub }>

export class MeshsubNode implements AnyNode {
  readonly impl = 'meshsub' as const
  readonly node: MeshsubLibp2p
  readonly metrics: CapturedMetrics
  readonly traces: TraceEvent[] = []
  private readonly got: Received[] = []

  constructor (node: MeshsubLibp2p, metrics: CapturedMetrics) {
    this.node = node
    this.metrics = metrics
    this.pubsub.addEventListener('gossipsub:message', (e) => {
      const { msg, propagationSource } = e.detail
      this.got.push(toReceived(msg, propagationSource.toString()))
    })
    this.pubsub.addEventListener('gossipsub:trace', (e) => { this.traces.push(e.detail) })
  }

  get pubsub (): GossipSub { return this.node.services.pubsub }
  get peerId (): string { return this.node.peerId.toString() }
  get addr (): string { return this.node.getMultiaddrs()[0].toString() }
  /** the router's read-only views (extensions, counters); the service keeps it private */
  get router (): NonNullable<GossipSub['router']> {
    const r = this.pubsub['router']
    if (r === undefined) { throw new Error('meshsub not started') }
    return r
  }

  received (): Received[] { return this.got }
  async subscribe (topic: string): Promise<void> { this.pubsub.subscribe(topic) }
  async unsubscribe (topic: string): Promise<void> { this.pubsub.unsubscribe(topic) }
  async publish (topic: string, data: Uint8Array): Promise<void> { await this.pubsub.publish(topic, data) }
  async mesh (topic: string): Promise<string[]> { return this.pubsub.getMeshPeers(topic) }
  async topicPeers (topic: string): Promise<string[]> { return this.pubsub.getSubscribers(topic).map(String) }
  async dial (addr: string): Promise<void> { await dialAddr(this.node, addr) }
  async penalties (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const p of this.pubsub.getPeers()) { out[p.toString()] = this.pubsub.getScoreSnapshot(p)?.behaviourPenalty ?? 0 }
    return out
  }

  async close (): Promise<void> { await this.node.stop() }
}

function addAll (into: Map<string, Set<string>>, peer: string, ids: string[]): void {
  if (ids.length === 0) { return }
  let set = into.get(peer)
  if (set === undefined) {
    set = new Set()
    into.set(peer, set)
  }
  for (const id of ids) { set.add(id) }
}

async function dialAddr (node: Libp2p, addr: string): Promise<void> {
  const { multiaddr } = await import('@multiformats/multiaddr')
  await node.dial(multiaddr(addr))
}

interface RefPubsub {
  subscribe(topic: string): void
  unsubscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<{ recipients: unknown[] }>
  getMeshPeers(topic: string): string[]
  getSubscribers(topic: string): Array<{ toString(): string }>
  dumpPeerScoreStats(): Record<string, { behaviourPenalty: number }>
  getScore(peer: string): number
  addEventListener(type: 'gossipsub:message', fn: (e: CustomEvent<{ msg: Message, propagationSource: { toString(): string } }>) => void): void
}

interface RawRpcMessage { from?: Uint8Array, seqno?: Uint8Array, data?: Uint8Array }
interface RawRpc { messages?: RawRpcMessage[], control?: { iwant?: Array<{ messageIDs?: Uint8Array[] }> } }

/** The message ids (hex) of every IWANT in an RPC. */
function iwantIds (rpc: RawRpc): string[] {
  return (rpc.control?.iwant ?? []).flatMap(w => (w.messageIDs ?? []).map(hex))
}

/** The shared id of a message as it came off the wire (before js validated it). */
function wireId (m: RawRpcMessage): string {
  if (m.from !== undefined && m.seqno !== undefined) { return hex(m.from) + hex(m.seqno) }
  return createHash('sha256').update(m.data ?? new Uint8Array(0)).digest('hex')
}

export class JsNode implements AnyNode {
  readonly impl = 'js' as const
  readonly node: Libp2p<{ pubsub: RefPubsub }>
  /** ids of the messages every RPC from a peer carried, duplicates included (js reports only first deliveries) */
  readonly messagesIn: Array<{ from: string, ids: string[] }> = []
  /** message ids (hex, as on the wire) of IWANTs js received from / sent to each peer */
  readonly iwantIn = new Map<string, Set<string>>()
  readonly iwantOut = new Map<string, Set<string>>()
  /** broken IWANT promises js counted against each peer (its score's BrokenPromise penalties) */
  readonly brokenPromises = new Map<string, number>()
  private readonly got: Received[] = []

  constructor (node: Libp2p<{ pubsub: RefPubsub }>) {
    this.node = node
    // observe js's RPC intake: its handler is a method it calls on itself, so wrapping it sees every RPC
    const ps = node.services.pubsub as unknown as { handleReceivedRpc(from: { toString(): string }, rpc: { messages?: RawRpcMessage[] }): Promise<void> }
    const handle = ps.handleReceivedRpc.bind(ps)
    ps.handleReceivedRpc = async (from, rpc) => {
      if ((rpc.messages?.length ?? 0) > 0) { this.messagesIn.push({ from: from.toString(), ids: (rpc.messages ?? []).map(wireId) }) }
      addAll(this.iwantIn, from.toString(), iwantIds(rpc))
      return handle(from, rpc)
    }
    const inner = ps as unknown as { sendRpc(id: string, rpc: RawRpc): boolean, score: { addPenalty(id: string, count: number, reason: string): void } }
    const send = inner.sendRpc.bind(inner)
    inner.sendRpc = (id, rpc) => {
      addAll(this.iwantOut, id, iwantIds(rpc))
      return send(id, rpc)
    }
    const addPenalty = inner.score.addPenalty.bind(inner.score)
    inner.score.addPenalty = (id, count, reason) => {
      if (reason === 'broken_promise') { this.brokenPromises.set(id, (this.brokenPromises.get(id) ?? 0) + count) }
      addPenalty(id, count, reason)
    }
    node.services.pubsub.addEventListener('gossipsub:message', (e) => {
      const { msg, propagationSource } = e.detail
      this.got.push(toReceived(msg, propagationSource.toString()))
    })
  }

  get pubsub (): RefPubsub { return this.node.services.pubsub }
  get peerId (): string { return this.node.peerId.toString() }
  get addr (): string { return this.node.getMultiaddrs()[0].toString() }
  received (): Received[] { return this.got }
  async subscribe (topic: string): Promise<void> { this.pubsub.subscribe(topic) }
  async unsubscribe (topic: string): Promise<void> { this.pubsub.unsubscribe(topic) }
  async publish (topic: string, data: Uint8Array): Promise<void> { await this.pubsub.publish(topic, data) }
  async mesh (topic: string): Promise<string[]> { return this.pubsub.getMeshPeers(topic) }
  async topicPeers (topic: string): Promise<string[]> { return this.pubsub.getSubscribers(topic).map(String) }
  async dial (addr: string): Promise<void> { await dialAddr(this.node, addr) }
  async penalties (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const [peer, s] of Object.entries(this.pubsub.dumpPeerScoreStats())) { out[peer] = s.behaviourPenalty }
    return out
  }

  /** js's current score of a peer */
  score (peer: string): number { return this.pubsub.getScore(peer) }

  async close (): Promise<void> { await this.node.stop() }
}

export class ProcessNode implements AnyNode {
  readonly impl: PeerImpl
  readonly peer: InteropPeer
  readonly peerId: string
  readonly addr: string
  private readonly rust: boolean

  constructor (peer: InteropPeer, info: { peerId: string, addrs: string[] }) {
    this.impl = peer.impl
    this.peer = peer
    this.peerId = info.peerId
    this.addr = info.addrs[0]
    this.rust = peer.impl === 'rust'
  }

  received (): Received[] {
    const out: Received[] = []
    this.peer.events.forEach((e, i) => {
      if (e.event !== 'message') { return }
      out.push({
        topic: e.topic as string,
        msgId: e.msgId as string,
        from: e.from as string | undefined,
        seqno: e.seqno as string | undefined,
        receivedFrom: e.receivedFrom as string,
        data: new Uint8Array(Buffer.from(e.data as string, 'base64')),
        at: this.peer.times[i]
      })
    })
    return out
  }

  async subscribe (topic: string): Promise<void> { await this.peer.subscribe(topic) }
  async unsubscribe (topic: string): Promise<void> { await this.peer.unsubscribe(topic) }
  async publish (topic: string, data: Uint8Array): Promise<void> { await this.peer.publish(topic, data) }
  async mesh (topic: string): Promise<string[]> { return this.peer.mesh(topic) }
  async topicPeers (topic: string): Promise<string[]> { return this.peer.topicPeers(topic) }
  async dial (addr: string): Promise<void> { await this.peer.dial(addr) }
  async penalties (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    for (const [peer, s] of Object.entries(await this.peer.scores())) {
      out[peer] = this.rust ? Math.max(0, -s.score) : (s.behaviourPenalty ?? 0)
    }
    return out
  }

  async close (): Promise<void> { await this.peer.close() }
}

/** Builds go and rust once; returns why an implementation is unavailable (missing toolchain). */
export async function unavailable (): Promise<Map<Impl, string>> {
  const missing = new Map<Impl, string>()
  for (const impl of ['go', 'rust'] as const) {
    const b = await buildPeer(impl)
    if (!b.ok) { missing.set(impl, b.reason) }
  }
  return missing
}

const signedOf = (opts: NodeOptions): boolean => (opts.signaturePolicy ?? 'StrictSign') === 'StrictSign'

async function startProcess (impl: PeerImpl, opts: NodeOptions, peers: string[]): Promise<ProcessNode> {
  const cfg: PeerConfig & { Dscore?: number } = {
    seed: opts.seed,
    topics: opts.topics,
    peers,
    signaturePolicy: opts.signaturePolicy ?? 'StrictSign',
    msgId: signedOf(opts) ? 'default' : 'sha256',
    D: opts.D,
    Dlo: opts.Dlo,
    Dhi: opts.Dhi,
    Dout: opts.Dout,
    Dscore: opts.Dscore,
    Dlazy: opts.Dlazy,
    heartbeatMs: opts.heartbeatMs,
    floodPublish: opts.floodPublish,
    doPX: opts.doPX,
    pruneBackoffMs: opts.pruneBackoffMs,
    unsubscribeBackoffMs: opts.unsubscribeBackoffMs,
    scoring: true,
    testExtension: impl === 'go' ? opts.testExtension : undefined,
    traceRpc: impl === 'go' ? opts.traceRpc : undefined
  }
  // undefined keys dropped: the peers reject unknown keys and treat a present key as set
  const p = await startPeer(impl, JSON.parse(JSON.stringify(cfg)))
  return new ProcessNode(p, await p.ready())
}

/** Options meshsub and the js router spell alike. */
function sharedJsOptions (opts: NodeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = opts.defaults === true
    ? {}
    : { globalSignaturePolicy: signedOf(opts) ? 'StrictSign' : 'StrictNoSign', msgIdFn: messageId, scoreParams, scoreThresholds }
  if (opts.signaturePolicy !== undefined) { out.globalSignaturePolicy = opts.signaturePolicy }
  out.heartbeatInterval = opts.heartbeatMs ?? 1000
  const same = { D: opts.D, Dlo: opts.Dlo, Dhi: opts.Dhi, Dout: opts.Dout, Dscore: opts.Dscore, Dlazy: opts.Dlazy, floodPublish: opts.floodPublish, doPX: opts.doPX, pruneBackoff: opts.pruneBackoffMs }
  for (const [k, v] of Object.entries(same)) {
    if (v !== undefined) { out[k] = v }
  }
  return out
}

async function startMeshsub (opts: NodeOptions): Promise<MeshsubNode> {
  const metrics = new CapturedMetrics()
  const service = gossipsub({
    ...sharedJsOptions(opts),
    ...(opts.unsubscribeBackoffMs !== undefined ? { unsubscribeBackoff: opts.unsubscribeBackoffMs } : {}),
    ...(opts.testExtension !== undefined ? { testExtension: opts.testExtension } : {}),
    ...opts.meshsub
  })
  // metrics go to this service only (libp2p itself runs without a metrics component)
  const withMetrics = (components: any): GossipSub => service(Object.create(components, { metrics: { value: metrics.component() } }))
  const n = await createNode('tcp', { pubsub: withMetrics }) as unknown as MeshsubLibp2p
  return new MeshsubNode(n, metrics)
}

async function startJs (opts: NodeOptions): Promise<JsNode> {
  const n = await createNode('tcp', {
    pubsub: reference({
      ...sharedJsOptions(opts),
      ...(opts.unsubscribeBackoffMs !== undefined ? { unsubcribeBackoff: opts.unsubscribeBackoffMs } : {}),
      ...opts.js
    } as any) as any
  }) as unknown as Libp2p<{ pubsub: RefPubsub }>
  return new JsNode(n)
}

/** Starts a node of `impl` with the shared id function and scoring, subscribed to `topics`, dialling `peers`. */
export async function startNode (impl: Impl, opts: NodeOptions = {}, peers: string[] = []): Promise<AnyNode> {
  if (impl === 'go' || impl === 'rust') { return startProcess(impl, opts, peers) }
  const node = impl === 'meshsub' ? await startMeshsub(opts) : await startJs(opts)
  for (const t of opts.topics ?? []) { await node.subscribe(t) }
  for (const a of peers) { await node.dial(a) }
  return node
}

/** Polls `check` every 100 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function eventually (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) { throw new Error(`timed out after ${timeoutMs} ms: ${what}`) }
    await sleep(100)
  }
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Waits until `a` and `b` list each other in their mesh of `topic`. */
export async function meshed (a: AnyNode, b: AnyNode, topic: string, timeoutMs = 15_000): Promise<void> {
  await eventually(async () => (await a.mesh(topic)).includes(b.peerId) && (await b.mesh(topic)).includes(a.peerId), timeoutMs,
    `${a.impl} and ${b.impl} in each other's mesh of ${topic}`)
}

export async function closeAll (nodes: AnyNode[]): Promise<void> {
  await Promise.all(nodes.map(async n => n.close().catch(() => {})))
}

/**
 * The hooks every interop suite needs, registered in the calling `describe`: peers built once
 * (cold builds take minutes), nodes closed after each test. `need` skips a test, saying why, when
 * an implementation's peer could not be built.
 */
export function interopSuite (): { nodes: AnyNode[], need(ctx: Mocha.Context, impl: Impl): void } {
  const missing = new Map<Impl, string>()
  const nodes: AnyNode[] = []
  before(async function () {
    this.timeout(20 * 60_000)
    for (const [impl, why] of await unavailable()) { missing.set(impl, why) }
  })
  afterEach(async () => { await closeAll(nodes.splice(0)) })
  const need = (ctx: Mocha.Context, impl: Impl): void => {
    const why = missing.get(impl)
    if (why !== undefined) {
      process.stderr.write(why + '\n')
      ctx.skip()
    }
  }
  return { nodes, need }
}
