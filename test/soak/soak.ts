// The spam soak on real libp2p nodes (TCP, noise, yamux): an honest publisher and subscribers around
// a victim, then 10 attacker nodes speaking raw GossipSub frames at the victim. Measures delivery,
// latency, time to graylist, heap, the victim's state counters against their bounds, CPU per spam RPC.

import { generateKeyPair } from '@libp2p/crypto/keys'
import { CodecError, FrameReader, decodeRpc, encodeFrame, encodeRpc } from '../../src/codec/index.ts'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { connect, createPubsubNode, stopAll } from '../adapter/net.ts'
import { createNode } from '../adapter/nodes.ts'
import { stateBounds } from '../fuzz/bounds.ts'
import { UINT64_MAX, ld, vfield } from '../fuzz/wire.ts'
import type { RouterConfig } from '../../src/config.ts'
import type { Router } from '../../src/core/router.ts'
import type { PeerScore } from '../../src/score/peer-score.ts'
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

interface Victim { router: Router, routerConfig: RouterConfig, score: PeerScore }

/** The victim service's core, read through its read-only views (test-only reach into the service). */
function inner (n: PubsubNode): Victim {
  return n.services.pubsub as unknown as Victim
}

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
      // a length prefix of 2 MiB, or a PRUNE with backoff 2^64 − 1 inside a frame over the limit
      if (tick % 2 === 0) { return new Uint8Array([0x80, 0x80, 0x80, 0x01, ...ld(3, ld(4, [...ld(1, enc.encode(TOPIC)), ...vfield(3, UINT64_MAX)]))]) }
      const big = new Uint8Array(1048577 + 16)
      big.set([0x81, 0x80, 0x40])
      return big
    }
  }
  return encodeFrame(encodeRpc(rpc))
}

async function openStream (a: AttackerState, victim: PubsubNode): Promise<void> {
  a.stream = await a.node.dialProtocol(victim.getMultiaddrs()[0], PROTO)
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
  const honest: PubsubNode[] = []
  for (let i = 0; i < 6; i++) { honest.push(await createPubsubNode('tcp', nodeOpts)) }
  const attackers: AttackerState[] = []
  try {
    const [publisher, victim] = honest
    for (let i = 0; i < honest.length; i++) {
      for (let j = i + 1; j < honest.length; j++) { await connect(honest[i], honest[j]) }
    }
    for (const n of honest) { n.services.pubsub.subscribe(TOPIC) }
    await victim.services.pubsub.waitForMesh(TOPIC, { min: 4 })
    await publisher.services.pubsub.waitForMesh(TOPIC, { min: 4 })
    for (const kind of ATTACKS) { attackers.push(await createAttacker(kind)) }
    await sleep(1500)

    // deliveries: receiver index → seq → latency
    const published: number[] = []
    const latencies: Array<Map<number, number>> = honest.map(() => new Map())
    honest.forEach((n, i) => {
      n.services.pubsub.addEventListener('message', (e) => {
        const d = e.detail.data
        if (d.length < 16) { return }
        const v = new DataView(d.buffer, d.byteOffset, d.byteLength)
        const seq = v.getUint32(0)
        if (!latencies[i].has(seq)) { latencies[i].set(seq, performance.now() - v.getFloat64(4)) }
      })
    })
    const total = opts.seconds * 1000
    const baselineMs = Math.round(total / 4)
    const t0 = performance.now()
    const cpuStart = process.cpuUsage()
    const ctl = { stop: false }
    let attacking = false
    let attackStart = 0
    const publishing = (async () => {
      for (let seq = 0; !ctl.stop; seq++) {
        const due = t0 + seq * 1000 / rate
        const wait = due - performance.now()
        if (wait > 0) { await sleep(wait) }
        if (ctl.stop) { break }
        const data = new Uint8Array(2048)
        const v = new DataView(data.buffer)
        v.setUint32(0, seq)
        v.setFloat64(4, performance.now())
        published[seq] = performance.now() - t0
        await publisher.services.pubsub.publish(TOPIC, data).catch(() => {})
      }
    })()

    // victim sampling: counters, heap, graylist times
    const vi = inner(victim)
    const counters: Record<string, { max: number, bound: number }> = {}
    const counterViolations: string[] = []
    const heap: Array<[number, number]> = []
    const graylisted = new Map<number, number>()
    const minScore: number[] = attackers.map(() => 0)
    let queueMax = 0
    let peersMax = 0
    const sample = (): void => {
      const z = vi.router.stats() as unknown as Record<string, number>
      peersMax = Math.max(peersMax, z.peers)
      const b = stateBounds(vi.routerConfig, { peers: peersMax, peerSessionsInPromiseWindow: peersMax * 2, peersEver: honest.length + attackers.length, topicsJoinedEver: 1, myTopics: z.myTopics, fanoutTopics: z.fanoutTopics })
      b.peers = honest.length - 1 + attackers.length
      b.mcacheBytes = vi.routerConfig.mcacheMaxBytes
      const s = vi.score.size
      z.scoreRecords = s.peers
      b.scoreRecords = z.peers + 10_000
      z.deliveryRecords = s.deliveryRecords
      b.deliveryRecords = 100_000
      for (const [k, bound] of Object.entries(b)) {
        const c = counters[k] ?? (counters[k] = { max: 0, bound })
        c.max = Math.max(c.max, z[k] ?? 0)
        c.bound = bound
        if (c.max > bound && counterViolations.length < 20) { counterViolations.push(`${k}=${c.max} > ${bound}`) }
      }
      for (const a of attackers) { queueMax = Math.max(queueMax, victim.services.pubsub.getSendQueueStats(a.node.peerId)?.bytes ?? 0) }
      if (attacking) {
        attackers.forEach((a, i) => {
          const sc = victim.services.pubsub.getScore(a.node.peerId)
          minScore[i] = Math.min(minScore[i], sc)
          if (!graylisted.has(i) && a.firstAt > 0 && sc < calc.thresholds.graylistThreshold) { graylisted.set(i, performance.now() - a.firstAt) }
        })
      }
    }
    const sampler = setInterval(sample, 100)
    const heapTimer = setInterval(() => { heap.push([performance.now() - t0, process.memoryUsage().heapUsed]) }, 1000)

    await sleep(baselineMs)
    const cpuBase = process.cpuUsage()
    const baseEnd = performance.now()
    const cpuBaseMs = ((cpuBase.user + cpuBase.system) - (cpuStart.user + cpuStart.system)) / 1000
    log(`baseline ${baselineMs} ms done; attack starts`)
    attacking = true
    attackStart = performance.now()
    for (const a of attackers) { await openStream(a, victim).catch(() => {}) }
    const attackLoops = attackers.map(async (a) => {
      for (let tick = 0; !ctl.stop; tick++) {
        await sleep(attackInterval)
        if (ctl.stop) { break }
        if (a.stream === undefined || a.stream.status !== 'open') {
          // the victim reset the stream (bad frame): open another, as a hostile peer would
          if (tick % 10 !== 0) { continue }
          a.reopen++
          await openStream(a, victim).catch(() => {})
          continue
        }
        try {
          if (a.stream.send(nextFrame(a, tick))) {
            if (a.sent++ === 0) { a.firstAt = performance.now() }
          } else { await a.stream.onDrain({ signal: AbortSignal.timeout(1000) }).catch(() => {}) }
        } catch {
          a.stream = undefined
        }
      }
    })
    await sleep(total - baselineMs)
    ctl.stop = true
    const cpuAll = process.cpuUsage()
    const attackEnd = performance.now()
    await Promise.all([publishing, ...attackLoops])
    // let the last messages arrive
    await sleep(2000)
    clearInterval(sampler)
    clearInterval(heapTimer)
    sample()

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
        for (let r = 1; r < honest.length; r++) {
          expected++
          const l = latencies[r].get(seq)
          if (l !== undefined) {
            delivered++
            lat.push(l)
            ;(r === 1 ? victimLat : otherLat).push(l)
          }
        }
      }
      return { published: count, expected, delivered, ratio: expected === 0 ? NaN : delivered / expected, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), max: percentile(lat, 1), victimP99: percentile(victimLat, 0.99), othersP99: percentile(otherLat, 0.99) }
    }
    const baseline = phase(1000, baseEnd - t0)
    const attack = phase(attackStart - t0, attackEnd - t0)
    const spam = attackers.reduce((n, a) => n + a.sent, 0)
    const attackSecs = (attackEnd - attackStart) / 1000
    const baseSecs = (baseEnd - t0) / 1000
    const attackCpuMs = ((cpuAll.user + cpuAll.system) - (cpuBase.user + cpuBase.system)) / 1000
    const baseRate = cpuBaseMs / baseSecs
    const attackRate = attackCpuMs / attackSecs
    const attackHeap = heap.filter(([t]) => t >= attackStart - t0)
    const report: SoakReport = {
      seconds: opts.seconds,
      honestNodes: honest.length,
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
      victimIgnored: { ...vi.router.counters() },
      oversizedReopens: attackers.filter(a => a.attack === 'oversized-frames').reduce((n, a) => n + a.reopen, 0)
    }
    return report
  } finally {
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
