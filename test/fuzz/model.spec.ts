import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { validateRouterConfig } from '../../src/config.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import { SeededRng } from '../../src/core/rng.ts'
import { Router } from '../../src/core/router.ts'
import { FloodsubID, GossipsubIDv10, GossipsubIDv11, GossipsubIDv12, GossipsubIDv13 } from '../../src/core/types.ts'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import { emptyControl } from '../../src/types.ts'
import { testPeerIds } from '../core/harness.ts'
import { mcacheBytesOk } from './bounds.ts'
import { Checker } from './checker.ts'
import type { RouterOptions } from '../../src/config.ts'
import type { MsgIdKey, RouterMessage, ValidationResult } from '../../src/core/types.ts'

const enc = new TextEncoder()
const PEERS = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7', 'h8', 'h9', 'x0', 'x1']
const TOPICS = ['t', 'u', 'v']
const RETAIN = 20_000
const START = 10_000_000
const OPTIONS: RouterOptions = {
  D: 4,
  Dlo: 3,
  Dhi: 6,
  Dscore: 2,
  Dout: 1,
  Dlazy: 3,
  heartbeatInterval: 500,
  seenTTL: 15_000,
  seenMaxEntries: 300,
  mcacheMaxMessages: 100,
  pruneBackoff: 8000,
  unsubscribeBackoff: 2000,
  maxRemoteBackoff: 15_000,
  iwantFollowupTime: 1500,
  graftFloodThreshold: 3000,
  maxPeerTopics: 2,
  maxPendingValidations: 12,
  maxPendingDials: 3,
  idontwantMaxStored: 8,
  idontwantMaxIds: 4,
  maxIHaveLength: 6,
  maxIHaveMessages: 2,
  opportunisticGraftTicks: 7,
  doPX: true
}

const peerArb = fc.constantFrom(...PEERS)
const topicArb = fc.constantFrom(...TOPICS, 'w')
const msgRef = fc.record({ author: fc.constantFrom('h0', 'h1', 'x0', 'me'), n: fc.nat({ max: 30 }) })
const idArb = msgRef.map(({ author, n }) => enc.encode(`${author}:${n}`))
const stepArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('connect' as const), peer: peerArb, protocol: fc.constantFrom(GossipsubIDv13, GossipsubIDv12, GossipsubIDv12, GossipsubIDv11, GossipsubIDv10, FloodsubID), outbound: fc.boolean(), ip: fc.constantFrom<string>('10.0.0.1', '10.0.0.2', '10.0.0.3') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), peer: peerArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sub' as const), peer: peerArb, topic: topicArb, subscribe: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('msg' as const), peer: peerArb, topic: fc.constantFrom('t', 't', 'u', 'v'), ref: msgRef, big: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('control' as const),
      peer: peerArb,
      graft: fc.array(topicArb, { maxLength: 2 }),
      prune: fc.array(fc.record({ topic: topicArb, backoff: fc.option(fc.oneof(fc.nat({ max: 30 }), fc.constant(2 ** 64)), { nil: undefined }), px: fc.array(peerArb, { maxLength: 4 }) }), { maxLength: 1 }),
      ihave: fc.array(fc.record({ topic: topicArb, ids: fc.array(idArb, { maxLength: 8 }) }), { maxLength: 2 }),
      iwant: fc.array(idArb, { maxLength: 8 }),
      idontwant: fc.array(idArb, { maxLength: 6 })
    })
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('time' as const), ms: fc.oneof(fc.nat({ max: 1500 }), fc.constant(RETAIN + 1000)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('local' as const), topic: topicArb, subscribe: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('publish' as const), topic: topicArb, n: fc.nat({ max: 30 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('validate' as const), pick: fc.nat() }) }
)
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never

/** The verdict is a function of the id, so one id is never both valid and invalid. */
function verdictOf (n: number): ValidationResult {
  return n % 5 === 0 ? 'reject' : n % 5 === 1 ? 'ignore' : 'accept'
}

function message (topic: string, author: string, n: number, big: boolean): RouterMessage {
  const id = enc.encode(`${author}:${n}`)
  return { id, idKey: msgIdKey(id), topic, from: enc.encode(author), data: new Uint8Array(big ? 1500 : 8) }
}

class Model {
  readonly score: PeerScore
  readonly router: Router
  readonly checker: Checker
  readonly config = validateRouterConfig({ ...OPTIONS, scoreThresholds: calc.thresholds })
  now = START
  /** messages waiting for a verdict, in arrival order */
  private readonly pending: Array<{ idKey: MsgIdKey, n: number }> = []

  constructor (seed: number) {
    this.score = new PeerScore({ ...calc.params, retainScore: RETAIN }, calc.thresholds, { now: START, deliveryRecordTTL: OPTIONS.seenTTL, maxRetainedPeers: 6, maxDeliveryRecords: 200 })
    this.router = new Router({ config: this.config, localPeer: 'me', rng: new SeededRng(seed), peerIds: testPeerIds, score: this.score, now: START })
    this.checker = new Checker({ router: this.router, config: this.config, score: this.score, maxRetained: 6, maxDeliveryRecords: 200, retainScore: RETAIN })
  }

  step (s: Step): void {
    const r = this.router
    switch (s.kind) {
      case 'connect': r.addPeer(s.peer, { protocol: s.protocol, outbound: s.outbound, ip: s.ip }, this.now); break
      case 'disconnect': r.removePeer(s.peer, this.now); break
      case 'sub': r.handleRpc(s.peer, { subscriptions: [{ subscribe: s.subscribe, topic: s.topic }], messages: [] }, this.now); break
      case 'msg': r.handleRpc(s.peer, { subscriptions: [], messages: [message(s.topic, s.ref.author, s.ref.n, s.big)] }, this.now); break
      case 'control': {
        const control = emptyControl()
        control.graft = s.graft.map(topic => ({ topic }))
        control.prune = s.prune.map(p => ({ topic: p.topic, backoff: p.backoff, peers: p.px.map(k => ({ peerId: enc.encode(k) })) }))
        control.ihave = s.ihave.map(i => ({ topic: i.topic, messageIds: i.ids }))
        control.iwant = s.iwant.length > 0 ? [{ messageIds: s.iwant }] : []
        control.idontwant = s.idontwant.length > 0 ? [{ messageIds: s.idontwant }] : []
        r.handleRpc(s.peer, { subscriptions: [], messages: [], control }, this.now)
        break
      }
      case 'time': this.advance(s.ms); break
      case 'local': if (s.subscribe) { r.subscribe(s.topic, this.now) } else { r.unsubscribe(s.topic, this.now) } break
      case 'publish': {
        const m = message(s.topic, 'me', s.n, false)
        if (!r.publish(m, this.now).duplicate) { this.checker.published(m.idKey) }
        break
      }
      default: {
        if (this.pending.length === 0) { break }
        const [p] = this.pending.splice(s.pick % this.pending.length, 1)
        const v = verdictOf(p.n)
        this.checker.verdict(p.idKey, v)
        r.reportValidation(p.idKey, v, this.now, v === 'reject' ? 'validator-reject' : undefined)
      }
    }
    this.drain()
  }

  private advance (ms: number): void {
    const end = this.now + ms
    for (;;) {
      const d = this.router.nextDeadline()
      if (d > end) { break }
      this.now = Math.max(this.now, d)
      this.router.handleTimeout(this.now)
      this.drain()
    }
    this.now = end
  }

  private drain (): void {
    const outs = this.router.takeOutputs()
    this.checker.outputs(outs, this.now)
    for (const o of outs) {
      if (o.type === 'validate') {
        const key = o.msg.idKey
        this.pending.push({ idKey: key, n: Number(key.slice(key.indexOf(':') + 1)) })
      }
    }
    if (this.pending.length > 4 * OPTIONS.maxPendingValidations!) { this.pending.splice(0, this.pending.length - OPTIONS.maxPendingValidations!) }
    this.checker.sizes(this.now)
    const z = this.router.sizes()
    if (!mcacheBytesOk(this.config, z.mcache, z.mcacheBytes)) { this.checker.fail('mcacheBytes over its bound') }
    this.checker.departed(this.now, calc.params.decayInterval)
  }
}

const calc = calculatePeerScoreParams({ topics: { t: { messagesPerSecond: 4 }, u: { messagesPerSecond: 2 } }, invalidMessagesToGraylist: 3 })

describe('fuzz/model: random input sequences with real scoring, invariants after every step', function () {
  this.timeout(120_000)

  it('every invariant holds after every step', () => {
    let steps = 0
    let heartbeats = 0
    let deliveries = 0
    fc.assert(fc.property(fc.array(stepArb, { minLength: 50, maxLength: 250 }), fc.integer(), (seq, seed) => {
      const m = new Model(seed)
      m.router.subscribe('t', m.now)
      m.router.subscribe('u', m.now)
      for (const p of PEERS.slice(0, 6)) {
        m.step({ kind: 'connect', peer: p, protocol: GossipsubIDv12, outbound: p < 'h2', ip: '10.0.0.9' })
        m.step({ kind: 'sub', peer: p, topic: p < 'h4' ? 't' : 'u', subscribe: true })
      }
      for (const s of seq) {
        m.step(s)
        if (m.checker.violations.length > 0) { break }
      }
      steps += seq.length
      heartbeats += m.checker.heartbeats
      deliveries += m.checker.deliveries
      expect(m.checker.violations).to.deep.equal([])
    }), { numRuns: 1500, seed: 0x30de1 })
    // eslint-disable-next-line no-console
    console.log(`      ${steps} steps, ${heartbeats} heartbeats, ${deliveries} deliveries`)
    // the sequences reach the interesting states, not only the edges
    expect(heartbeats).to.be.greaterThan(1000)
    expect(deliveries).to.be.greaterThan(500)
    expect(steps).to.be.greaterThan(100_000)
  })
})
