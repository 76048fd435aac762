import { expect } from 'aegir/chai'
import { InvalidPeerScoreParamsError } from '../../src/score/errors.ts'
import { calculatePeerScoreParams, scoreParameterDecay } from '../../src/score/helpers.ts'
import { createPeerScoreParams, createTopicScoreParams, validatePeerScoreParams } from '../../src/score/params.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import { validatePeerScoreThresholds } from '../../src/score/thresholds.ts'
import { msg, peerOnly, topicOnly } from './util.ts'
import type { PeerScoreParams } from '../../src/score/params.ts'

/**
 * Drives a PeerScore for `seconds` of virtual time: per topic and second, `rate` messages, each
 * delivered first by `firstBy(topic, i)` (a peer in both meshes) and duplicated by the other peers
 * that forward in that topic, 5 ms later (near-first).
 */
function run (s: PeerScore, opts: { peers: string[], rate: Record<string, number>, seconds: number, start: number, forwards(peer: string, topic: string): boolean, check?(t: number): void }): number {
  let now = opts.start
  for (let sec = 0; sec < opts.seconds; sec++) {
    for (const [topic, rate] of Object.entries(opts.rate)) {
      const senders = opts.peers.filter(p => opts.forwards(p, topic))
      for (let i = 0; i < rate; i++) {
        const m = msg(topic)
        const first = senders[(sec * rate + i) % senders.length]
        s.validateMessage(first, m, now)
        s.deliverMessage(first, m, now)
        const later = now + 5
        senders.filter(p => p !== first).forEach(p => { s.duplicateMessage(p, m, later) })
      }
    }
    now += 1000
    s.handleTimeout(now)
    opts.check?.(now)
  }
  return now
}

describe('score/helpers', () => {
  describe('scoreParameterDecay', () => {
    for (const [decayTime, interval, zero] of [[10_000, 1000, 0.1], [60_000, 1000, 0.01], [30_000, 3000, 0.1], [3_600_000, 1000, 0.1]]) {
      it(`a counter of 1 reaches zero after ${decayTime / interval} intervals (decayTime ${decayTime}, decayToZero ${zero})`, () => {
        const d = scoreParameterDecay(decayTime, { decayInterval: interval, decayToZero: zero })
        const n = decayTime / interval
        expect(d ** n).to.be.closeTo(zero, 1e-12)
        const s = new PeerScore(peerOnly({
          decayInterval: interval,
          decayToZero: zero,
          topics: { t: topicOnly({ invalidMessageDeliveriesWeight: -1, invalidMessageDeliveriesDecay: d }) }
        }), {}, { now: 0 })
        s.addPeer('p', 0)
        const m = msg()
        s.rejectMessage('p', m, 'invalid-signature', 0)
        let steps = 0
        while ((s.getScoreSnapshot('p')?.topics.t.invalidMessageDeliveries ?? 0) > 0) {
          steps++
          s.handleTimeout(steps * interval)
        }
        // float rounding may leave the counter a hair above decayToZero after exactly n steps
        expect(steps).to.be.within(n, n + 1)
      })
    }

    it('defaults to 1 s intervals and decayToZero 0.1, and rejects bad input naming it', () => {
      expect(scoreParameterDecay(10_000)).to.equal(0.1 ** 0.1)
      expect(() => scoreParameterDecay(0)).to.throw(InvalidPeerScoreParamsError, /decayTime=0/)
      expect(() => scoreParameterDecay(1000, { decayToZero: 1 })).to.throw(/decayToZero=1/)
    })
  })

  describe('calculatePeerScoreParams', () => {
    const calc = calculatePeerScoreParams({ topics: { blocks: { messagesPerSecond: 5, topicShare: 0.5 }, attestations: { messagesPerSecond: 5 } } })
    const p = calc.params
    const M = 40

    it('produces params and thresholds that pass the validators, with an explanation per component', () => {
      expect(() => { validatePeerScoreParams(p) }).to.not.throw()
      expect(() => { validatePeerScoreThresholds(calc.thresholds) }).to.not.throw()
      expect(p.topicScoreCap).to.equal(M)
      expect(p.topics.blocks.topicWeight + p.topics.attestations.topicWeight).to.equal(1)
      const text = calc.explanation.join('\n')
      for (const term of ['P1', 'P2', 'P3', 'P3b', 'P4', 'P6', 'P7', 'blocks', 'attestations']) { expect(text).to.include(term) }
    })

    it('full credit in every topic adds up to exactly the cap M', () => {
      let max = 0
      for (const tp of Object.values(p.topics)) {
        max += tp.topicWeight * (tp.timeInMeshWeight * tp.timeInMeshCap + tp.firstMessageDeliveriesWeight * tp.firstMessageDeliveriesCap)
      }
      expect(max).to.be.closeTo(M, 1e-9)
    })

    it('a silent mesh peer loses 2M in its topic, and X invalid messages graylist a peer with full credit', () => {
      for (const tp of Object.values(p.topics)) {
        expect(tp.topicWeight * tp.meshMessageDeliveriesWeight * tp.meshMessageDeliveriesThreshold ** 2).to.be.closeTo(-2 * M, 1e-9)
        expect(M + tp.topicWeight * tp.invalidMessageDeliveriesWeight * 100).to.be.closeTo(calc.thresholds.graylistThreshold, 1e-9)
        expect(tp.meshMessageDeliveriesCap).to.be.at.least(tp.meshMessageDeliveriesThreshold)
      }
    })

    it('honest mesh peers forwarding at the expected rate stay positive; a peer whose forwards stop goes negative', () => {
      const s = new PeerScore(p, calc.thresholds, { now: 0 })
      for (const x of ['h1', 'h2', 'h3']) {
        s.addPeer(x, 0)
        for (const t of ['blocks', 'attestations']) { s.graft(x, t, 0) }
      }
      const peers = ['h1', 'h2', 'h3']
      let now = run(s, { peers, rate: { blocks: 5, attestations: 5 }, seconds: 300, start: 0, forwards: () => true })
      for (const x of peers) { expect(s.score(x)).to.be.above(0) }
      // h3 turns covert squatter in blocks: within the P3 horizon (2 × activation) it is below zero
      const horizon = 2 * p.topics.blocks.meshMessageDeliveriesActivation
      now = run(s, { peers, rate: { blocks: 5, attestations: 5 }, seconds: horizon / 1000, start: now, forwards: (x, t) => x !== 'h3' || t !== 'blocks' })
      expect(s.score('h3')).to.be.below(0)
      expect(s.getScoreSnapshot('h3')?.topics.blocks.p3.value).to.be.above(0)
      for (const x of ['h1', 'h2']) { expect(s.score(x)).to.be.above(0) }
      expect(now).to.equal(300_000 + horizon)
    })

    it('steadyTraffic false turns P3 and P3b off; shares are validated', () => {
      const idle = calculatePeerScoreParams({ topics: { rare: { messagesPerSecond: 0.01, steadyTraffic: false } } })
      expect(idle.params.topics.rare.meshMessageDeliveriesWeight).to.equal(0)
      expect(idle.params.topics.rare.meshFailurePenaltyWeight).to.equal(0)
      expect(() => calculatePeerScoreParams({ topics: { a: { messagesPerSecond: 1, topicShare: 0.7 }, b: { messagesPerSecond: 1, topicShare: 0.6 } } }))
        .to.throw(InvalidPeerScoreParamsError, /topicShare=1.29+\d* sum over topics must be ≤ 1/)
      expect(() => calculatePeerScoreParams({ topics: { a: { messagesPerSecond: 0 } } })).to.throw(/topics\["a"\]\.messagesPerSecond=0/)
    })
  })

  describe('CVE-2022-47547 pattern: never forwards in one mesh, earns first deliveries in another', () => {
    /** the attacker forwards nothing in `blocks`, and delivers every `attestations` message first */
    function attack (params: PeerScoreParams, seconds: number): { attacker: number, honest: number, s: PeerScore } {
      const s = new PeerScore(params, {}, { now: 0 })
      for (const x of ['atk', 'h1', 'h2']) {
        s.addPeer(x, 0)
        for (const t of ['blocks', 'attestations']) { s.graft(x, t, 0) }
      }
      let now = 0
      for (let sec = 0; sec < seconds; sec++) {
        for (let i = 0; i < 5; i++) {
          const b = msg('blocks')
          s.validateMessage('h1', b, now)
          s.deliverMessage('h1', b, now)
          s.duplicateMessage('h2', b, now + 5)
          const a = msg('attestations')
          s.validateMessage('atk', a, now)
          s.deliverMessage('atk', a, now)
          s.duplicateMessage('h1', a, now + 5)
          s.duplicateMessage('h2', a, now + 5)
        }
        now += 1000
        s.handleTimeout(now)
      }
      return { attacker: s.score('atk'), honest: s.score('h1'), s }
    }

    it('with the calculator\'s parameters the attacker is negative (pruned) even with full credit elsewhere', () => {
      const { params } = calculatePeerScoreParams({ topics: { blocks: { messagesPerSecond: 5 }, attestations: { messagesPerSecond: 5 } } })
      const { attacker, honest, s } = attack(params, 4000)
      expect(attacker).to.be.below(-30)
      expect(honest).to.be.above(0)
      const snap = s.getScoreSnapshot('atk')
      // it has earned nearly all the first-delivery credit attestations can give, and full P1 in both
      expect(snap?.topics.attestations.p2.value).to.be.above(0.9 * params.topics.attestations.firstMessageDeliveriesCap)
      expect(snap?.topics.blocks.p1.value).to.equal(params.topics.blocks.timeInMeshCap)
    })

    it('with P3 sized only against the topic\'s own P1 credit, the attacker stays positive', () => {
      const { params } = calculatePeerScoreParams({ topics: { blocks: { messagesPerSecond: 5 }, attestations: { messagesPerSecond: 5 } } })
      for (const tp of Object.values(params.topics)) { tp.meshMessageDeliveriesWeight /= 4 }
      expect(attack(params, 4000).attacker).to.be.above(0)
    })

    it('with the @libp2p/gossipsub default topic params the attacker stays positive: P1 swamps P3 under the cap', () => {
      const params = createPeerScoreParams({ topics: { blocks: createTopicScoreParams(), attestations: createTopicScoreParams() } })
      expect(attack(params, 60).attacker).to.equal(params.topicScoreCap)
    })
  })
})
