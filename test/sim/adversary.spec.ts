import { expect } from 'aegir/chai'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import * as adv from '../../src/sim/adversary.ts'
import { Sim } from '../../src/sim/network.ts'
import type { Behaviour, SimNode } from '../../src/sim/network.ts'

const T = 't'
const calc = calculatePeerScoreParams({ topics: { [T]: { messagesPerSecond: 5 } } })
const routerOpts = { scoreThresholds: calc.thresholds }
const payload = new Uint8Array(256)

/** `honest` scored nodes on a ring plus chords, and one attacker linked to all of them. */
function net (honest: number, behaviours: Behaviour[], seed = 1, ip?: string): { sim: Sim, hs: SimNode[], a: SimNode } {
  const sim = new Sim({ seed })
  const hs = Array.from({ length: honest }, (_, i) => sim.addNode({
    key: `h${i}`, honest: true, ip: `10.0.0.${i}`, router: routerOpts, score: new PeerScore(calc.params, calc.thresholds, { now: 0 })
  }))
  const a = sim.addNode({ key: 'x', honest: false, ip, router: routerOpts, behaviours })
  for (const n of [...hs, a]) { sim.subscribe(n.key, T) }
  for (let i = 0; i < honest; i++) {
    sim.connect(hs[i].key, hs[(i + 1) % honest].key)
    sim.connect(hs[i].key, hs[(i + 3) % honest].key)
    sim.connect(a.key, hs[i].key)
  }
  return { sim, hs, a }
}

/** Publishes from random honest nodes at 5/s for `ms`. */
function traffic (sim: Sim, hs: SimNode[], ms: number): string[] {
  const ids: string[] = []
  const end = sim.now + ms
  while (sim.now < end) {
    ids.push(sim.publish(hs[sim.rng.int(hs.length)].key, T, payload).idKey)
    sim.runFor(200)
  }
  return ids
}

const scoreOf = (hs: SimNode[], key: string): number[] => hs.map(h => h.score?.score(key) ?? 0)

describe('sim: adversary behaviours on real cores', function () {
  this.timeout(30_000)

  it('squatter: accepts GRAFT, never forwards nor advertises', () => {
    const sim = new Sim({ seed: 2 })
    for (const [k, b] of [['a', []], ['s', [adv.squatter()]], ['c', []]] as const) { sim.addNode({ key: k, honest: k !== 's', behaviours: [...b] }) }
    for (const k of ['a', 's', 'c']) { sim.subscribe(k, T) }
    sim.connect('a', 's'); sim.connect('s', 'c')
    sim.runFor(3000)
    expect(sim.node('s').router.getMeshPeers(T)).to.have.members(['a', 'c'])
    const m = sim.publish('a', T, payload)
    sim.runFor(5000)
    expect(sim.node('s').delivered.has(m.idKey)).to.equal(true)
    expect(sim.node('c').delivered.has(m.idKey)).to.equal(false)
  })

  it('censor: forwards others\' messages but not the target\'s', () => {
    const sim = new Sim({ seed: 3 })
    for (const k of ['a', 'b', 's', 'c']) { sim.addNode({ key: k, honest: k !== 's', behaviours: k === 's' ? [adv.censor('a')] : [] }) }
    for (const k of ['a', 'b', 's', 'c']) { sim.subscribe(k, T) }
    sim.connect('a', 's'); sim.connect('b', 's'); sim.connect('s', 'c')
    sim.runFor(3000)
    const fromA = sim.publish('a', T, payload)
    const fromB = sim.publish('b', T, payload)
    sim.runFor(5000)
    expect(sim.node('c').delivered.has(fromB.idKey)).to.equal(true)
    expect(sim.node('c').delivered.has(fromA.idKey)).to.equal(false)
  })

  it('degrade(p): drops about p of what it forwards; after(T) is honest before T', () => {
    const sim = new Sim({ seed: 4 })
    for (const k of ['a', 's', 'c']) { sim.addNode({ key: k, honest: k !== 's', behaviours: k === 's' ? [adv.after(20_000, adv.degrade(0.5, 9))] : [] }) }
    for (const k of ['a', 's', 'c']) { sim.subscribe(k, T) }
    sim.connect('a', 's'); sim.connect('s', 'c')
    sim.runFor(3000)
    const before = Array.from({ length: 50 }, () => { const id = sim.publish('a', T, payload).idKey; sim.runFor(100); return id })
    sim.runUntil(20_000)
    const afterIds = Array.from({ length: 400 }, () => { const id = sim.publish('a', T, payload).idKey; sim.runFor(100); return id })
    sim.runFor(1000)
    const c = sim.node('c')
    expect(before.filter(id => c.delivered.has(id)).length).to.equal(50)
    // gossip cannot help: s is c's only peer, and s serves IWANT through the same degraded path
    const got = afterIds.filter(id => c.delivered.has(id)).length / afterIds.length
    expect(got).to.be.within(0.4, 0.85)
  })

  it('invalid-message spammer is graylisted by every honest neighbour within 5 s (P4)', () => {
    const { sim, hs } = net(10, [adv.after(10_000, adv.invalidSpammer(T, 20))])
    traffic(sim, hs, 10_000)
    expect(Math.min(...scoreOf(hs, 'x'))).to.be.greaterThan(calc.thresholds.graylistThreshold)
    traffic(sim, hs, 5000)
    expect(Math.max(...scoreOf(hs, 'x'))).to.be.lessThan(calc.thresholds.graylistThreshold)
  })

  it('re-GRAFT during backoff earns behaviour penalties (P7)', () => {
    const { sim, hs } = net(10, [adv.regraftInBackoff(T)], 5)
    traffic(sim, hs, 5000)
    // each honest node leaves and rejoins: the PRUNE it sends x on leaving sets a 10 s backoff that x ignores
    const pruned = hs.filter(h => h.router.getMeshPeers(T).includes('x'))
    expect(pruned.length).to.be.greaterThan(0)
    for (const h of hs) { h.router.unsubscribe(T, sim.now); sim.drain(h) }
    sim.runFor(1000)
    for (const h of hs) { sim.subscribe(h.key, T) }
    const penalty = (h: SimNode): number => (h.score as PeerScore).getScoreSnapshot('x')?.behaviourPenalty ?? 0
    expect(Math.max(...hs.map(penalty))).to.equal(0)
    traffic(sim, hs, 8000)
    for (const h of pruned) { expect(penalty(h), h.key).to.be.greaterThan(0) }
  })

  it('hostile PRUNE with backoff 2^64−1: the backoff is clamped to maxRemoteBackoff (1 h)', () => {
    const { sim, hs } = net(6, [adv.hostilePrune(T)], 6)
    traffic(sim, hs, 5000)
    for (const h of hs) {
      const exp = h.router.backoffExpiry(T, 'x')
      expect(exp, h.key).to.not.equal(undefined)
      expect(exp as number).to.be.at.most(sim.now + 3_600_000 + 1000)
      expect(h.router.getMeshPeers(T)).to.not.include('x')
    }
  })

  it('IHAVE spammer: bogus ids are asked for within bounds and their broken promises penalise it (P7)', () => {
    const { sim, hs } = net(6, [adv.ihaveSpammer(T, 5000)], 7)
    traffic(sim, hs, 30_000)
    for (const h of hs) {
      expect(h.router.sizes().promises).to.be.at.most(h.router.sizes().peers * 5000)
    }
    const penalties = hs.map(h => (h.score as PeerScore).getScoreSnapshot('x')?.behaviourPenalty ?? 0)
    expect(Math.min(...penalties)).to.be.greaterThan(0)
  })

  it('IWANT repeater: each id is served at most gossipRetransmission times', () => {
    const { sim, hs } = net(6, [adv.iwantRepeater(10)], 8)
    traffic(sim, hs, 10_000)
    expect(hs.reduce((s, h) => s + h.router.counters().iwantOverRetransmission, 0)).to.be.greaterThan(0)
  })

  it('IDONTWANT flooder and subscription flooder stay within per-peer bounds', () => {
    const { sim, hs } = net(6, [adv.idontwantFlooder(5000), adv.subscriptionFlooder(500)], 9)
    traffic(sim, hs, 10_000)
    for (const h of hs) {
      const s = h.router.sizes()
      expect(s.maxIdontwantPerPeer).to.be.at.most(10_000)
      expect(s.maxPeerTopics).to.be.at.most(1024)
    }
    expect(hs.reduce((s, h) => s + h.router.counters().subscriptionsOverLimit, 0)).to.be.greaterThan(0)
  })

  it('PX spammer: records from a peer below acceptPXThreshold lead to no dials', () => {
    const { sim, hs } = net(6, [adv.pxSpammer(T, 64)], 10)
    traffic(sim, hs, 10_000)
    for (const h of hs) { expect(h.router.sizes().pendingDials).to.equal(0) }
  })

  it('first-delivery gamer forwards one topic and starves the other', () => {
    const sim = new Sim({ seed: 11 })
    for (const k of ['a', 's', 'c']) { sim.addNode({ key: k, honest: k !== 's', behaviours: k === 's' ? [adv.firstDeliveryGamer(T)] : [] }) }
    for (const k of ['a', 's', 'c']) { sim.subscribe(k, T); sim.subscribe(k, 'u') }
    sim.connect('a', 's'); sim.connect('s', 'c')
    sim.runFor(3000)
    const silent = sim.publish('a', T, payload)
    const other = sim.publish('a', 'u', payload)
    sim.runFor(5000)
    expect(sim.node('c').delivered.has(other.idKey)).to.equal(true)
    expect(sim.node('c').delivered.has(silent.idKey)).to.equal(false)
  })

  it('colocated sybils: more than 10 peers on one IP score negative at the first refresh (P6)', () => {
    const sim = new Sim({ seed: 12 })
    const h = sim.addNode({ key: 'h', honest: true, ip: '10.0.0.1', router: routerOpts, score: new PeerScore(calc.params, calc.thresholds, { now: 0 }) })
    sim.subscribe('h', T)
    for (let i = 0; i < 12; i++) {
      sim.addNode({ key: `s${i}`, honest: false, ip: adv.SYBIL_IP, router: routerOpts })
      sim.subscribe(`s${i}`, T)
      sim.connect(`s${i}`, 'h')
    }
    sim.runFor(1001)
    for (let i = 0; i < 12; i++) { expect(h.score?.score(`s${i}`)).to.be.lessThan(0) }
  })
})
