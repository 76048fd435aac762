import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { createTopicScoreParams } from '../../src/score/params.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import { msg } from './util.ts'
import type { RouterMessage } from '../../src/core/types.ts'
import type { ScoreSnapshot } from '../../src/score/compute.ts'

const PEERS = ['a', 'b', 'c', 'd']
const TOPICS = ['t', 'u', 'unscored']
const IPS = ['1.1.1.1', '1.1.1.1', '2001:db8::1', '2001:db8::2', '127.0.0.1', 'bogus']

type Op =
  | { op: 'add', peer: number, ip: number }
  | { op: 'remove', peer: number }
  | { op: 'graft' | 'prune', peer: number, topic: number }
  | { op: 'first', peer: number, topic: number, verdict: 'accept' | 'reject' | 'ignore' | 'sig' }
  | { op: 'dup', peer: number, back: number, dt: number }
  | { op: 'penalty', peer: number, count: number }
  | { op: 'time', dt: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), peer: fc.nat(3), ip: fc.nat(IPS.length - 1) }),
  fc.record({ op: fc.constant('remove' as const), peer: fc.nat(3) }),
  fc.record({ op: fc.constantFrom('graft' as const, 'prune' as const), peer: fc.nat(3), topic: fc.nat(2) }),
  fc.record({ op: fc.constant('first' as const), peer: fc.nat(3), topic: fc.nat(2), verdict: fc.constantFrom('accept' as const, 'reject' as const, 'ignore' as const, 'sig' as const) }),
  fc.record({ op: fc.constant('dup' as const), peer: fc.nat(3), back: fc.nat(20), dt: fc.nat(30) }),
  fc.record({ op: fc.constant('penalty' as const), peer: fc.nat(3), count: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('time' as const), dt: fc.integer({ min: 0, max: 5000 }) })
)

/** Every raw counter of a snapshot, keyed so two snapshots can be compared. */
function counters (s: ScoreSnapshot): Map<string, number> {
  const out = new Map<string, number>([['p7', s.behaviourPenalty]])
  for (const [t, ts] of Object.entries(s.topics)) {
    out.set(`${t}.p2`, ts.p2.value)
    out.set(`${t}.p3`, ts.meshMessageDeliveries)
    out.set(`${t}.p3b`, ts.p3b.value)
    out.set(`${t}.p4`, ts.invalidMessageDeliveries)
  }
  return out
}

/** Applies one op; returns the new time. */
function apply (s: PeerScore, o: Op, now: number, sent: RouterMessage[]): number {
  const peer = 'peer' in o ? PEERS[o.peer] : ''
  switch (o.op) {
    case 'add': s.addPeer(peer, now, IPS[o.ip]); break
    case 'remove': s.removePeer(peer, now); break
    case 'graft': s.graft(peer, TOPICS[o.topic], now); break
    case 'prune': s.prune(peer, TOPICS[o.topic], now); break
    case 'first': {
      const m = msg(TOPICS[o.topic])
      sent.push(m)
      if (o.verdict === 'sig') { s.rejectMessage(peer, m, 'invalid-signature', now); break }
      s.validateMessage(peer, m, now)
      if (o.verdict === 'accept') { s.deliverMessage(peer, m, now) }
      if (o.verdict === 'reject') { s.rejectMessage(peer, m, 'validator-reject', now) }
      if (o.verdict === 'ignore') { s.ignoreMessage(peer, m, now) }
      break
    }
    case 'dup': {
      const m = sent[sent.length - 1 - o.back]
      if (m != null) { s.duplicateMessage(peer, m, now + o.dt) }
      break
    }
    case 'penalty': s.addPenalty(peer, o.count, 'test'); break
    default: return timeStep(s, now + o.dt)
  }
  return now
}

/** Runs the decay timer at `now` and checks that a due decay step grew no counter of any peer. */
function timeStep (s: PeerScore, now: number): number {
  const before = new Map(PEERS.map(p => [p, s.getScoreSnapshot(p)]))
  const due = now >= s.nextDeadline()
  s.handleTimeout(now)
  if (!due) { return now }
  for (const [p, snap] of before) {
    const after = s.getScoreSnapshot(p)
    if (snap == null || after == null) { continue }
    const next = counters(after)
    for (const [k, v] of counters(snap)) { expect(next.get(k) ?? 0, `${p} ${k}`).to.be.at.most(v) }
  }
  return now
}

describe('score/properties', () => {
  const calc = calculatePeerScoreParams({ topics: { t: { messagesPerSecond: 2, meshDegree: 2 } } })
  const params = { ...calc.params, topics: { ...calc.params.topics, u: createTopicScoreParams({ meshMessageDeliveriesActivation: 1000 }) } }

  it('scores stay finite and equal their snapshot; a decay step never grows a counter', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 120 }), fc.boolean(), (ops, weirdApp) => {
      const s = new PeerScore({ ...params, appSpecificScore: weirdApp ? (p) => p === 'a' ? Number.NaN : -1e6 : () => 0 }, calc.thresholds, { now: 0 })
      const sent: RouterMessage[] = []
      let now = 0
      for (const o of ops) {
        now = apply(s, o, now, sent)
        for (const p of PEERS) {
          const score = s.score(p)
          expect(Number.isFinite(score), `${p} score ${score}`).to.equal(true)
          expect(s.getScoreSnapshot(p)?.score ?? score).to.equal(score)
        }
        expect(s.nextDeadline()).to.be.above(now)
      }
      // every event refers to a level actually crossed
      for (const e of s.takeEvents()) {
        expect((e.oldScore >= e.level) !== (e.newScore >= e.level)).to.equal(true)
      }
    }), { numRuns: 300 })
  })
})
