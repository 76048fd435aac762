// The spam soak on real libp2p nodes (TCP, noise, yamux): an honest publisher and subscribers around
// a victim (in its own process), then 10 attacker nodes speaking raw GossipSub frames at it. Measures
// delivery, latency, time to graylist, the victim's heap, CPU per spam RPC and counters vs bounds.

import { fork } from 'node:child_process'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { CodecError, FrameReader, decodeRpc, encodeFrame, encodeRpc } from '../../src/codec/index.ts'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { connect, createPubsubNode, stopAll } from '../adapter/net.ts'
import { createNode } from '../adapter/nodes.ts'
import { stateBounds } from '../fuzz/bounds.ts'
import { UINT64_MAX, ld, vfield } from '../fuzz/wire.ts'
import type { VictimRequest, VictimSample } from './victim.ts'
import type { RouterConfig } from '../../src/config.ts'
import type { ControlMessage, Rpc } from '../../src/types.ts'
import type { PubsubNode } from '../adapter/net.ts'
import type { Libp2p, Stream } from '@libp2p/interface'

const TOPIC = 'soak'
const PROTO = '/meshsub/1.2.0'
const enc = new TextEncoder()

export const ATTACKS = ['ihave-flood', 'ihave-flood', 'iwant-repeat', 'idontwant-flood', 'invalid-messages', 'invalid-messages', 'subscription-flood', 'oversized-frames', 'graft-in-backoff', 'mixed'] as const
export type Attack = typeof ATTACKS[number]

export interface SoakOptions {
  /** total seconds: the first quarter is the no-attack baseline */
  seconds: number
  /** honest messages per second (2 KiB each) */
  rate?: number
  /** milliseconds between two RPCs of one attacker */
  attackInterval?: number
  log?(line: string): void
}

interface PhaseStats {
  published: number
  expected: number
  delivered: number
  ratio: number
  p50: number
  p99: number
  max: number
  /** p99 at the victim alone, and at the other honest subscribers */
  victimP99: number
  othersP99: number
}

export interface SoakReport {
  seconds: number
  honestNodes: number
  attackers: number
  baseline: PhaseStats
  attack: PhaseStats
  p99Ratio: number
  graylistedAfterMs: Array<{ attack: Attack, ms: number | null, minScore: number }>
  spamRpcsSent: number
  spamRpcsPerSecond: number
  heapMB: { start: number, peak: number, end: number, slopeKBPerMin: number }
  cpu: { baselineMsPerSec: number, attackMsPerSec: number, usPerSpamRpc: number }
  counters: Record<string, { max: number, bound: number }>
  counterViolations: string[]
  victimSendQueueMaxBytes: number
  /** the victim's counts of things it ignored or capped (Router.counters()) */
  victimIgnored: Record<string, number>
  /** streams the oversized-frame attacker had to reopen after the victim reset them */
  oversizedReopens: number
}

/** The victim in a child process, asked over IPC. */
interface VictimProcess {
  peerId: string
  addr: string
  config: RouterConfig
  ask<T>(req: Omit<VictimRequest, 'id'>): Promise<T>
}

async function spawnVictim (opts: object): Promise<VictimProcess> {
  const child = fork(new URL('./victim.ts', import.meta.url), [TOPIC, JSON.stringify(opts)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const waiting = new Map<number, { resolve(v: unknown): void, reject(e: Error): void }>()
  let next = 1
  const ready = Promise.withResolvers<void>()
  child.on('message', (m: { id: number, result?: unknown, error?: string }) => {
    if (m.id === 0) { ready.resolve(); return }
    const w = waiting.get(m.id)
    waiting.delete(m.id)
    if (m.error !== undefined) { w?.reject(new Error(m.error)) } else { w?.resolve(m.result) }
  })
  child.on('exit', () => {
    ready.reject(new Error('victim exited'))
    for (const w of waiting.values()) { w.reject(new Error('victim exited')) }
  })
  const ask = async <T>(req: Omit<VictimRequest, 'id'>): Promise<T> => new Promise<T>((resolve, reject) => {
    const id = next++
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
    child.send({ ...req, id })
  })
  await ready.promise
  const info = await ask<{ peerId: string, addr: string, config: RouterConfig }>({ cmd: 'info' })
  return { ...info, ask }
}

const now = (): number => performance.timeOrigin + performance.now()

function percentile (xs: number[], p: number): number {
  if (xs.length === 0) { return NaN }
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

interface AttackerState {
  attack: Attack
  node: Libp2p
  stream: Stream | undefined
  learned: Uint8Array[]
  seq: number
  sent: number
  reopen: number
  /** when its first spam RPC went out (graylist times count from here) */
  firstAt: number
}

function randomIds (n: number, len = 32): Uint8Array[] {
  return Array.from({ length: n }, () => crypto.getRandomValues(new Uint8Array(len)))
}

const control = (c: Partial<ControlMessage>): ControlMessage => ({ ihave: [], iwant: [], graft: [], prune: [], idontwant: [], ...c })

/** The next RPC (frame bytes) of an attacker. */
function nextFrame (a: AttackerState, tick: number): Uint8Array {
  const rpc: Rpc = { subscriptions: [], messages: [] }
  const kind = a.attack === 'mixed' ? (['ihave-flood', 'invalid-messages', 'graft-in-backoff', 'idontwant-flood'] as const)[tick % 4] : a.attack
  switch (kind) {
    case 'ihave-flood': rpc.control = control({ ihave: [{ topic: TOPIC, messageIds: randomIds(500) }] }); break
    case 'iwant-repeat': {
      const ids = a.learned.slice(-50)
      rpc.control = control({ iwant: [{ messageIds: ids.length > 0 ? ids : randomIds(10) }] })
      break
    }
    case 'idontwant-flood': rpc.control = control({ idontwant: [{ messageIds: randomIds(512) }] }); break
    case 'invalid-messages': {
      // signed-looking messages whose signature is garbage: rejected (P4) after verification
      const from = a.node.peerId.toMultihash().bytes
      rpc.messages = Array.from({ length: 4 }, () => {
        const seqno = new Uint8Array(8)
        new DataView(seqno.buffer).setUint32(4, ++a.seq)
        return { from, seqno, topic: TOPIC, data: new Uint8Array(2048).fill(a.seq & 0xff), signature: crypto.getRandomValues(new Uint8Array(64)) }
      })
      break
    }
    case 'subscription-flood':
      rpc.subscriptions = Array.from({ length: 1000 }, (_, i) => ({ subscribe: tick % 3 !== 2, topic: `flood-${tick % 50}-${i}` }))
      break
    case 'graft-in-backoff':
      // PRUNE ourselves (the victim records a backoff), then GRAFT again and again inside it
      rpc.control = tick % 50 === 0
        ? control({ prune: [{ topic: TOPIC, peers: [], backoff: 60 }] })
        : control({ graft: [{ topic: TOPIC }] })
      break
    default: {
      // over the default 4 MiB limit: a PRUNE with backoff 2^64 − 1 inside a frame whose prefix says
      // 8 MiB, or a prefix of 4 MiB + 1 (refused on the prefix: the body need not follow)
      if (tick % 2 === 0) { return new Uint8Array([0x80, 0x80, 0x80, 0x04, ...ld(3, ld(4, [...ld(1, enc.encode(TOPIC)), ...vfield(3, UINT64_MAX)]))]) }
      const big = new Uint8Array(1024)
      big.set([0x81, 0x80, 0x80, 0x02])
      return big
    }
  }
  return encodeFrame(encodeRpc(rpc))
}

async function openStream (a: AttackerState, victimAddr: string): Promise<void> {
  a.stream = await a.node.dialProtocol(multiaddr(victimAddr), PROTO)
  a.stream.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: TOPIC }], messages: [] })))
}

async function createAttacker (attack: Attack): Promise<AttackerState> {
  const node = await createNode('tcp', {}, await generateKeyPair('Ed25519'))
  const a: AttackerState = { attack, node, stream: undefined, learned: [], seq: 0, sent: 0, reopen: 0, firstAt: 0 }
  await node.handle(PROTO, (stream: Stream) => {
    const reader = new FrameReader()
    stream.addEventListener('message', (e) => {
      if (attack !== 'iwant-repeat') { return }
      // the IWANT repeater learns real ids from what the victim sends it
      try {
        reader.push(e.data)
        for (let body = reader.next(); body !== undefined; body = reader.next()) {
          const { rpc } = decodeRpc(body)
          for (const ih of rpc.control?.ihave ?? []) { a.learned.push(...ih.messageIds.map(id => id.slice())) }
          if (a.learned.length > 500) { a.learned.splice(0, a.learned.length - 500) }
        }
      } catch (err) {
        if (!(err instanceof CodecError)) { throw err }
      }
    })
  })
  return a
}

/** Runs the soak and returns its figures. */
export async function runSoak (opts: SoakOptions): Promise<SoakReport> {
  const log = opts.log ?? (() => {})
  const rate = opts.rate ?? 20
  const attackInterval = opts.attackInterval ?? 50
  const calc = calculatePeerScoreParams({ topics: { [TOPIC]: { messagesPerSecond: rate } }, invalidMessagesToGraylist: 10 })
  // one honest publisher is the source of every message: its mesh peers can never deliver to it
  // first, so the mesh delivery terms (P3, P3b) would push every honest subscriber below zero there
  calc.params.topics[TOPIC] = { ...calc.params.topics[TOPIC], meshMessageDeliveriesWeight: 0, meshFailurePenaltyWeight: 0 }
  const nodeOpts = { scoreParams: calc.params, scoreThresholds: calc.thresholds, heartbeatInterval: 1000, heartbeatInitialDelay: 100 }
  // publisher and four subscribers here; the victim in its own process
  const honest: PubsubNode[] = []
  for (let i = 0; i < 5; i++) { honest.push(await createPubsubNode('tcp', nodeOpts)) }
  const victim = await spawnVictim(nodeOpts)
  const attackers: AttackerState[] = []
  try {
    const [publisher] = honest
    for (let i = 0; i < honest.length; i++) {
      for (let j = i + 1; j < honest.length; j++) { await connect(honest[i], honest[j]) }
      await honest[i].dial(multiaddr(victim.addr))
    }
    for (const n of honest) { n.services.pubsub.subscribe(TOPIC) }
    await victim.ask({ cmd: 'waitMesh', min: 4 })
    await publisher.services.pubsub.waitForMesh(TOPIC, { min: 4 })
    for (const kind of ATTACKS) { attackers.push(await createAttacker(kind)) }
    const attackerIds = attackers.map(a => a.node.peerId.toString())
    await sleep(1500)

    // deliveries at the subscribers here (the victim keeps its own): receiver → seq → latency
    const published: number[] = []
    const latencies: Array<Map<number, number>> = honest.map(() => new Map())
    honest.forEach((n, i) => {
      n.services.pubsub.addEventListener('message', (e) => {
        const d = e.detail.data
        if (d.length < 16) { return }
        const v = new DataView(d.buffer, d.byteOffset, d.byteLength)
        const seq = v.getUint32(0)
        if (!latencies[i].has(seq)) { latencies[i].set(seq, now() - v.getFloat64(4)) }
      })
    })
    const total = opts.seconds * 1000
    const baselineMs = Math.round(total / 4)
    const t0 = performance.now()
    const ctl = { stop: false }
    let attacking = false
    const publishing = (async () => {
      for (let seq = 0; !ctl.stop; seq++) {
        const due = t0 + seq * 1000 / rate
        const wait = due - performance.now()
        if (wait > 0) { await sleep(wait) }
        if (ctl.stop) { break }
        const data = new Uint8Array(2048)
        const v = new DataView(data.buffer)
        v.setUint32(0, seq)
        v.setFloat64(4, now())
        published[seq] = performance.now() - t0
        await publisher.services.pubsub.publish(TOPIC, data).catch(() => {})
      }
    })()

    // victim sampling over IPC: counters, heap, CPU, graylist times
    const counters: Record<string, { max: number, bound: number }> = {}
    const counterViolations: string[] = []
    const heap: Array<[number, number]> = []
    const cpu: Array<[number, number]> = []
    const graylisted = new Map<number, number>()
    const minScore: number[] = attackers.map(() => 0)
    let queueMax = 0
    let peersMax = 0
    let last: VictimSample | undefined
    const sample = async (): Promise<void> => {
      const v = await victim.ask<VictimSample>({ cmd: 'sample', peers: attackerIds })
      const at = performance.now()
      last = v
      heap.push([at - t0, v.heapUsed])
      cpu.push([at - t0, v.cpuMs])
      const z: Record<string, number> = { ...v.stats, scoreRecords: v.scoreSize.peers, deliveryRecords: v.scoreSize.deliveryRecords }
      peersMax = Math.max(peersMax, z.peers)
      const b = stateBounds(victim.config, { peers: peersMax, peerSessionsInPromiseWindow: peersMax * 2, peersEver: honest.length + attackers.length, topicsJoinedEver: 1, myTopics: z.myTopics, fanoutTopics: z.fanoutTopics })
      b.peers = honest.length + attackers.length
      b.mcacheBytes = victim.config.mcacheMaxBytes
      b.scoreRecords = z.peers + 10_000
      b.deliveryRecords = 100_000
      for (const [k, bound] of Object.entries(b)) {
        const c = counters[k] ?? (counters[k] = { max: 0, bound })
        c.max = Math.max(c.max, z[k] ?? 0)
        c.bound = bound
        if (c.max > bound && counterViolations.length < 20) { counterViolations.push(`${k}=${c.max} > ${bound}`) }
      }
      queueMax = Math.max(queueMax, ...v.queueBytes)
      if (attacking) {
        attackers.forEach((a, i) => {
          const sc = v.scores[i]
          minScore[i] = Math.min(minScore[i], sc)
          if (!graylisted.has(i) && a.firstAt > 0 && sc < calc.thresholds.graylistThreshold) { graylisted.set(i, at - a.firstAt) }
        })
      }
    }
    const sampling = (async () => {
      while (!ctl.stop) {
        await sample().catch(() => {})
        await sleep(100)
      }
    })()

    await sleep(baselineMs)
    const baseEnd = performance.now()
    log(`baseline ${baselineMs} ms done; attack starts`)
    attacking = true
    const attackStart = performance.now()
    for (const a of attackers) { await openStream(a, victim.addr).catch(() => {}) }
    const attackLoops = attackers.map(async (a) => {
      for (let tick = 0; !ctl.stop; tick++) {
        await sleep(attackInterval)
        if (ctl.stop) { break }
        if (a.stream === undefined || a.stream.status !== 'open') {
          // the victim reset the stream (bad frame): open another, as a hostile peer would
          if (tick % 10 !== 0) { continue }
          a.reopen++
          await openStream(a, victim.addr).catch(() => {})
          continue
        }
        try {
          if (a.stream.send(nextFrame(a, tick))) {
            if (a.sent++ === 0) { a.firstAt = performance.now() }
          } else {
            await a.stream.onDrain({ signal: AbortSignal.timeout(1000) }).catch(() => {})
          }
        } catch {
          a.stream = undefined
        }
      }
    })
    await sleep(total - baselineMs)
    const attackEnd = performance.now()
    ctl.stop = true
    await Promise.all([publishing, sampling, ...attackLoops])
    // let the last messages arrive
    await sleep(2000)
    await sample()
    latencies.push(new Map(await victim.ask<Array<[number, number]>>({ cmd: 'latencies' })))

    const phase = (from: number, to: number): PhaseStats => {
      const lat: number[] = []
      const victimLat: number[] = []
      const otherLat: number[] = []
      let expected = 0
      let delivered = 0
      let count = 0
      for (let seq = 0; seq < published.length; seq++) {
        const at = published[seq]
        if (at === undefined || at < from || at >= to) { continue }
        count++
        // receivers: the four subscribers here and the victim (last)
        for (let r = 1; r <= honest.length; r++) {
          expected++
          const l = latencies[r]?.get(seq)
          if (l !== undefined) {
            delivered++
            lat.push(l)
            ;(r === honest.length ? victimLat : otherLat).push(l)
          }
        }
      }
      return { published: count, expected, delivered, ratio: expected === 0 ? NaN : delivered / expected, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: percentile(lat, 1), victimP99: percentile(victimLat, 0.99), othersP99: percentile(otherLat, 0.99) }
    }
    const baseline = phase(1000, baseEnd - t0)
    const attack = phase(attackStart - t0, attackEnd - t0)
    const spam = attackers.reduce((n, a) => n + a.sent, 0)
    const attackSecs = (attackEnd - attackStart) / 1000
    const cpuRate = (from: number, to: number): number => {
      const pts = cpu.filter(([t]) => t >= from && t <= to)
      if (pts.length < 2) { return NaN }
      return (pts[pts.length - 1][1] - pts[0][1]) / ((pts[pts.length - 1][0] - pts[0][0]) / 1000)
    }
    const baseRate = cpuRate(1000, baseEnd - t0)
    const attackRate = cpuRate(attackStart - t0 + 2000, attackEnd - t0)
    const attackHeap = heap.filter(([t]) => t >= attackStart - t0 && t <= attackEnd - t0)
    return {
      seconds: opts.seconds,
      honestNodes: honest.length + 1,
      attackers: attackers.length,
      baseline,
      attack,
      p99Ratio: attack.p99 / baseline.p99,
      graylistedAfterMs: attackers.map((a, i) => ({ attack: a.attack, ms: graylisted.get(i) ?? null, minScore: Math.round(minScore[i] * 10) / 10 })),
      spamRpcsSent: spam,
      spamRpcsPerSecond: spam / attackSecs,
      heapMB: {
        start: mb(attackHeap[0]?.[1] ?? 0),
        peak: mb(Math.max(...heap.map(([, h]) => h))),
        end: mb(heap[heap.length - 1]?.[1] ?? 0),
        slopeKBPerMin: slope(attackHeap) * 60_000 / 1024
      },
      cpu: { baselineMsPerSec: baseRate, attackMsPerSec: attackRate, usPerSpamRpc: (attackRate - baseRate) * 1000 / (spam / attackSecs) },
      counters,
      counterViolations,
      victimSendQueueMaxBytes: queueMax,
      victimIgnored: { ...last?.counters },
      oversizedReopens: attackers.filter(a => a.attack === 'oversized-frames').reduce((n, a) => n + a.reopen, 0)
    }
  } finally {
    await victim.ask({ cmd: 'stop' }).catch(() => {})
    await stopAll(honest)
    await Promise.all(attackers.map(async a => a.node.stop()))
  }
}

function mb (bytes: number): number {
  return Math.round(bytes / 1024 / 102.4) / 10
}

/** Least-squares slope of (ms, bytes) samples, bytes per ms. */
function slope (pts: Array<[number, number]>): number {
  if (pts.length < 2) { return 0 }
  const n = pts.length
  const mx = pts.reduce((s, [x]) => s + x, 0) / n
  const my = pts.reduce((s, [, y]) => s + y, 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of pts) {
    num += (x - mx) * (y - my)
    den += (x - mx) ** 2
  }
  return den === 0 ? 0 : num / den
}
