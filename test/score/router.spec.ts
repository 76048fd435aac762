import { expect } from 'aegir/chai'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import { Harness, controlTo, makeMsg, sends } from '../core/harness.ts'
import type { RouterOptions } from '../../src/config.ts'
import type { ValidationResult } from '../../src/core/types.ts'
import type { PeerScoreParams } from '../../src/score/params.ts'
import type { PeerScoreThresholds } from '../../src/score/thresholds.ts'

const START = 1_000_000
const HONEST = ['h1', 'h2', 'h3', 'h4', 'h5']

/** A router in virtual time whose score provider is a real PeerScore. */
function setup (params: PeerScoreParams, thresholds: PeerScoreThresholds, opts: RouterOptions = {}): { h: Harness, score: PeerScore } {
  const score = new PeerScore(params, thresholds, { now: START })
  const h = new Harness({ scoreThresholds: thresholds, ...opts }, { score, start: START })
  return { h, score }
}

/** `first` sends a message, the validator answers `verdict`, then `copies` send theirs; true if it was validated. */
function deliver (h: Harness, first: string, topic: string, verdict: ValidationResult, copies: string[] = []): boolean {
  const msg = makeMsg(topic)
  const validated = h.feed(first, { messages: [msg] }).some(o => o.type === 'validate')
  if (validated) {
    h.router.reportValidation(msg.idKey, verdict, h.now)
    h.take()
  }
  for (const c of copies) { h.feed(c, { messages: [msg] }) }
  return validated
}

/** One second of traffic: `rate` messages per topic, first from a rotating honest forwarder, copies from the others. */
function second (h: Harness, sec: number, topics: Record<string, { rate: number, forwarders: string[], first?: string }>): void {
  for (const [topic, t] of Object.entries(topics)) {
    for (let i = 0; i < t.rate; i++) {
      const first = t.first ?? t.forwarders[(sec * t.rate + i) % t.forwarders.length]
      deliver(h, first, topic, 'accept', t.forwarders.filter(p => p !== first))
    }
  }
  h.advance(1000)
}

describe('score/in the router (virtual time)', () => {
  const calc = calculatePeerScoreParams({ topics: { t: { messagesPerSecond: 5 } } })

  it('a peer sending invalid messages falls below graylist and its RPCs are ignored', () => {
    const { h, score } = setup(calc.params, calc.thresholds)
    h.connect('spam', ['t'])
    h.connect('h1', ['t'])
    h.router.subscribe('t', h.now)
    h.take()
    let rejected = 0
    while (h.router.acceptsRpcFrom('spam')) {
      expect(deliver(h, 'spam', 't', 'reject')).to.equal(true)
      rejected++
    }
    // (graylist − M)/X² per invalid message squared: 9 take a peer without credit below −80
    expect(rejected).to.equal(9)
    expect(score.score('spam')).to.be.below(calc.thresholds.graylistThreshold)
    expect(deliver(h, 'spam', 't', 'accept')).to.equal(false)
    expect(h.feed('spam', { control: { graft: [{ topic: 't' }] } })).to.deep.equal([])
    expect(deliver(h, 'h1', 't', 'accept')).to.equal(true)
    const graylist = score.takeEvents().find(e => e.peer === 'spam' && e.threshold === 'graylist')
    expect(graylist?.lastPenalty?.cause).to.equal('invalid-message:validator-reject')
    h.heartbeats(1)
    expect(h.router.getMeshPeers('t')).to.not.include('spam')
  })

  it('a mesh peer that never forwards is pruned once activation has passed', () => {
    const { h, score } = setup(calc.params, calc.thresholds)
    for (const p of [...HONEST, 'squat']) { h.connect(p, ['t']) }
    h.router.subscribe('t', h.now)
    h.take()
    expect(h.router.getMeshPeers('t')).to.have.members([...HONEST, 'squat'])
    const activation = calc.params.topics.t.meshMessageDeliveriesActivation
    let prunedAt = 0
    for (let sec = 0; sec < 30 && prunedAt === 0; sec++) {
      second(h, sec, { t: { rate: 5, forwarders: HONEST } })
      if (!h.router.getMeshPeers('t').includes('squat')) { prunedAt = h.now - START }
    }
    expect(prunedAt).to.be.above(activation)
    expect(prunedAt).to.be.at.most(activation + 2000)
    expect(controlTo(h.log, 'squat').prune.map(p => p.topic)).to.deep.equal(['t'])
    expect(h.router.getMeshPeers('t')).to.have.members(HONEST)
    expect(score.getScoreSnapshot('squat')?.topics.t.p3b.value).to.be.above(0)
    for (const p of HONEST) { expect(score.score(p)).to.be.above(0) }
    // not grafted back while negative
    h.heartbeats(5)
    expect(h.router.getMeshPeers('t')).to.not.include('squat')
  })

  it('a peer re-GRAFTing during backoff is penalised, then ignored', () => {
    const { h, score } = setup(calc.params, calc.thresholds)
    h.connect('g', ['t'])
    h.connect('h1', ['t'])
    h.router.subscribe('t', h.now)
    h.take()
    expect(h.router.getMeshPeers('t')).to.include('g')
    h.feed('g', { control: { prune: [{ topic: 't', peers: [], backoff: 60 }] } })
    expect(h.router.getMeshPeers('t')).to.not.include('g')
    const refused = h.feed('g', { control: { graft: [{ topic: 't' }] } })
    expect(controlTo(refused, 'g').prune.map(p => p.topic)).to.deep.equal(['t'])
    expect(score.getScoreSnapshot('g')?.behaviourPenalty).to.equal(2)
    let grafts = 1
    while (h.router.acceptsRpcFrom('g')) {
      h.feed('g', { control: { graft: [{ topic: 't' }] } })
      grafts++
    }
    // P7 = (count − 6)² × (graylist − M)/100: 16 (8 flood GRAFTs) passes −80
    expect(grafts).to.equal(8)
    expect(sends(h.feed('g', { control: { graft: [{ topic: 't' }] } }), 'g')).to.deep.equal([])
    expect(h.router.getMeshPeers('t')).to.not.include('g')
    expect(score.getScoreSnapshot('g')?.lastPenalty?.cause).to.equal('graft-backoff')
  })

  it('opportunistic grafting brings in better peers when the mesh median is low', () => {
    const app = new Map<string, number>()
    const params = { ...calc.params, appSpecificScore: (p: string) => app.get(p) ?? 0 }
    const peers = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']
    const { h } = setup(params, calc.thresholds, { D: 6, Dlo: 4, Dhi: 12, opportunisticGraftTicks: 10 })
    for (const p of peers) { h.connect(p, ['t']) }
    h.router.subscribe('t', h.now)
    h.take()
    const mesh = h.router.getMeshPeers('t')
    expect(mesh).to.have.length(6)
    const outside = peers.filter(p => !mesh.includes(p))
    for (const p of mesh) { app.set(p, 1) }
    app.set(outside[0], 50)
    app.set(outside[1], 30)
    h.heartbeats(10)
    const grafted = h.router.getMeshPeers('t').filter(p => !mesh.includes(p))
    expect(grafted).to.have.members([outside[0], outside[1]])
    expect(controlTo(h.log, outside[0]).graft.map(g => g.topic)).to.deep.equal(['t'])
    expect(controlTo(h.log, outside[2]).graft).to.deep.equal([])
  })

  describe('CVE-2022-47547 pattern: silent in one mesh, first deliveries in another', () => {
    const cve = calculatePeerScoreParams({ topics: { a: { messagesPerSecond: 5 }, b: { messagesPerSecond: 5 } } })

    /**
     * 5 honest peers and `atk` in the meshes of a and b, 5 msg/s each. atk delivers every b message
     * first; in a it forwards like the others for `honestFor` seconds, then never again.
     */
    function attack (params: PeerScoreParams, seconds: number, honestFor = 0): { h: Harness, score: PeerScore, prunedAt: number } {
      const { h, score } = setup(params, cve.thresholds)
      for (const p of [...HONEST, 'atk']) { h.connect(p, ['a', 'b']) }
      h.router.subscribe('a', h.now)
      h.router.subscribe('b', h.now)
      h.take()
      expect(h.router.getMeshPeers('a')).to.include('atk')
      let prunedAt = 0
      for (let sec = 0; sec < seconds && prunedAt === 0; sec++) {
        second(h, sec, {
          a: { rate: 5, forwarders: sec < honestFor ? [...HONEST, 'atk'] : HONEST },
          b: { rate: 5, forwarders: [...HONEST, 'atk'], first: 'atk' }
        })
        if (!h.router.getMeshPeers('a').includes('atk')) { prunedAt = (h.now - START) / 1000 }
      }
      return { h, score, prunedAt }
    }

    it('with the calculator\'s parameters a silent attacker goes negative and is pruned from both meshes', () => {
      const { h, score, prunedAt } = attack(cve.params, 60)
      expect(prunedAt).to.be.within(1, cve.params.topics.a.meshMessageDeliveriesActivation / 1000 + 2)
      expect(score.score('atk')).to.be.below(0)
      expect(h.router.getMeshPeers('b')).to.not.include('atk')
      const snap = score.getScoreSnapshot('atk')
      expect(snap?.topics.b.p2.value).to.be.above(0)
      expect(snap?.topics.a.p3b.value).to.be.above(0)
      for (const p of HONEST) { expect(score.score(p)).to.be.above(0) }
    })

    it('with the calculator\'s parameters a covert attacker with an hour of full credit is pruned within 1.2 P3 horizons', () => {
      const { score, prunedAt } = attack(cve.params, 3700, 3600)
      // from cap = 4·threshold, the deficit outweighs full credit M once counter < 0.29·threshold: 1.14 H
      const horizon = 2 * cve.params.topics.a.meshMessageDeliveriesActivation / 1000
      expect(prunedAt).to.be.within(3600 + horizon, 3600 + 1.2 * horizon + 2)
      expect(score.score('atk')).to.be.below(0)
    })

    it('with P3 sized only against the topic\'s own credit (weight / 4) the covert attacker stays positive and meshed', () => {
      const weak = calculatePeerScoreParams({ topics: { a: { messagesPerSecond: 5 }, b: { messagesPerSecond: 5 } } }).params
      for (const tp of Object.values(weak.topics)) { tp.meshMessageDeliveriesWeight /= 4 }
      const { h, score, prunedAt } = attack(weak, 3700, 3600)
      expect(prunedAt).to.equal(0)
      expect(score.score('atk')).to.be.above(10)
      expect(score.getScoreSnapshot('atk')?.topics.a.p3.value).to.be.above(0)
      expect(h.router.getMeshPeers('a')).to.include('atk')
    })
  })
})
