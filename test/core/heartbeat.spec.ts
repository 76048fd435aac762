import { expect } from 'aegir/chai'
import { Harness, TestScore, controlTo, makeMsg, outputsOf, sends, traces } from './harness.ts'

function peers (h: Harness, n: number, opts: { prefix?: string, outbound?: boolean } = {}): string[] {
  const keys = Array.from({ length: n }, (_, i) => `${opts.prefix ?? 'p'}${i}`)
  for (const k of keys) { h.connect(k, ['t'], { outbound: opts.outbound ?? false }) }
  return keys
}

/** makes `keys` graft us so the mesh holds them all */
function graftIn (h: Harness, keys: string[]): void {
  for (const k of keys) { h.feed(k, { control: { graft: [{ topic: 't' }] } }) }
}

describe('core/heartbeat phases', () => {
  it('runs the first heartbeat after heartbeatInitialDelay, then every heartbeatInterval', () => {
    const h = new Harness()
    const start = h.now
    expect(h.router.nextDeadline()).to.equal(start + 100)
    h.advance(100)
    expect(h.router.heartbeatTicks()).to.equal(1)
    expect(h.router.nextDeadline()).to.equal(start + 1100)
    h.advance(5000)
    expect(h.router.heartbeatTicks()).to.equal(6)
    expect(traces(h.log, 'heartbeat')).to.have.length(6)
  })

  it('a late driver skips missed heartbeats instead of bursting', () => {
    const h = new Harness()
    h.now += 10_000
    h.router.handleTimeout(h.now)
    expect(h.router.heartbeatTicks()).to.equal(1)
    expect(h.router.nextDeadline()).to.equal(h.now + 1000)
  })

  it('nextDeadline includes the score provider\'s deadline, and handleTimeout drives it', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    score.deadline = h.now + 50
    expect(h.router.nextDeadline()).to.equal(h.now + 50)
    h.advance(50)
    expect(score.named('handleTimeout')).to.deep.equal([[h.now]])
    expect(h.router.heartbeatTicks()).to.equal(0)
  })

  it('mesh below Dlo: grafts up to D at the heartbeat', () => {
    const h = new Harness()
    h.router.subscribe('t', h.now)
    const keys = peers(h, 10, { outbound: true })
    // new subscribers we dialled were grafted only while the mesh was below Dlo
    expect(h.router.getMeshPeers('t')).to.have.length(4)
    for (const k of h.router.getMeshPeers('t').slice(0, 2)) { h.feed(k, { control: { prune: [{ topic: 't', peers: [] }] } }) }
    expect(h.router.getMeshPeers('t')).to.have.length(2)
    const out = h.heartbeats(1)
    const mesh = h.router.getMeshPeers('t')
    expect(mesh).to.have.length(6)
    expect(traces(out, 'graft')).to.have.length(4)
    expect(keys).to.include.members(mesh)
  })

  it('mesh at Dhi: prunes to D keeping the Dscore best by score and Dout outbound', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    h.router.subscribe('t', h.now)
    const inbound = peers(h, 10)
    const outbound = peers(h, 2, { prefix: 'o', outbound: true })
    graftIn(h, [...inbound, ...outbound])
    expect(h.router.getMeshPeers('t')).to.have.length(12)
    for (let i = 0; i < 10; i++) { score.scores.set(`p${i}`, i) }
    const out = h.heartbeats(1)
    const mesh = h.router.getMeshPeers('t')
    expect(mesh).to.have.length(6)
    expect(mesh).to.include.members(['p9', 'p8', 'p7', 'p6'])
    expect(mesh).to.include.members(['o0', 'o1'])
    const pruned = traces(out, 'prune') as Array<{ peer: string, backoff: number }>
    expect(pruned).to.have.length(6)
    for (const p of pruned) { expect(h.router.backoffExpiry('t', p.peer)).to.equal(h.now + 60_000) }
  })

  it('mesh with Dlo peers but fewer than Dout outbound: grafts outbound peers', () => {
    const h = new Harness()
    h.router.subscribe('t', h.now)
    // four inbound peers graft us: a mesh at Dlo is left alone (no outbound peer to add yet)
    graftIn(h, peers(h, 6).slice(0, 4))
    h.heartbeats(1)
    expect(h.router.getMeshPeers('t')).to.have.length(4)
    peers(h, 3, { prefix: 'o', outbound: true })
    expect(h.router.getMeshPeers('t')).to.have.length(4)
    h.heartbeats(1)
    const mesh = h.router.getMeshPeers('t')
    expect(mesh.filter(k => k.startsWith('o'))).to.have.length(2)
    expect(mesh).to.have.length(6)
  })

  it('prunes negative-score mesh peers without PX', () => {
    const score = new TestScore()
    const h = new Harness({ doPX: true }, { score })
    h.router.subscribe('t', h.now)
    peers(h, 8, { outbound: true })
    const victim = h.router.getMeshPeers('t')[0]
    score.scores.set(victim, -0.5)
    const out = h.heartbeats(1)
    expect(h.router.getMeshPeers('t')).to.not.include(victim)
    expect(controlTo(out, victim).prune).to.deep.equal([{ topic: 't', peers: [], backoff: 60 }])
    expect(h.router.getMeshPeers('t')).to.have.length.at.least(4)
  })

  it('opportunistic graft every opportunisticGraftTicks when the median mesh score is low', () => {
    const score = new TestScore()
    const h = new Harness({ opportunisticGraftTicks: 3 }, { score })
    h.router.subscribe('t', h.now)
    peers(h, 12)
    h.heartbeats(1)
    const mesh = h.router.getMeshPeers('t')
    for (const k of ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', 'p10', 'p11']) {
      score.scores.set(k, mesh.includes(k) ? 1 : 30)
    }
    let out = h.heartbeats(1)
    expect(traces(out, 'graft')).to.have.length(0)
    out = h.heartbeats(1) // tick 3
    const grafted = traces(out, 'graft') as Array<{ peer: string }>
    expect(grafted).to.have.length(2)
    for (const g of grafted) { expect(mesh).to.not.include(g.peer) }
  })

  it('no opportunistic graft when the median is above the threshold', () => {
    const score = new TestScore()
    const h = new Harness({ opportunisticGraftTicks: 2 }, { score })
    h.router.subscribe('t', h.now)
    const keys = peers(h, 12)
    for (const k of keys) { score.scores.set(k, 25) }
    h.heartbeats(1)
    expect(traces(h.heartbeats(1), 'graft')).to.have.length(0)
  })

  it('backoff entries are swept after expiry plus slack', () => {
    const h = new Harness({ pruneBackoff: 5000 })
    h.router.subscribe('t', h.now)
    peers(h, 2)
    h.feed('p0', { control: { prune: [{ topic: 't', peers: [], backoff: 5 }] } })
    expect(h.router.sizes().backoff).to.equal(1)
    h.advance(5000)
    expect(h.router.sizes().backoff).to.equal(1)
    h.advance(1100)
    expect(h.router.sizes().backoff).to.equal(0)
  })

  it('fanout maintenance drops departed peers and refills to D', () => {
    const h = new Harness({ floodPublish: false })
    peers(h, 10)
    h.router.publish(makeMsg('t'), h.now)
    const fanout = h.router.getFanoutPeers('t')
    h.router.removePeer(fanout[0], h.now)
    h.feed(fanout[1], { subscriptions: [{ subscribe: false, topic: 't' }] })
    expect(h.router.getFanoutPeers('t')).to.have.length(4)
    h.heartbeats(1)
    const after = h.router.getFanoutPeers('t')
    expect(after).to.have.length(6)
    expect(after).to.not.include(fanout[0])
    expect(after).to.not.include(fanout[1])
  })

  it('direct peers are dialled on the first heartbeat and every directConnectTicks while disconnected', () => {
    const h = new Harness({ directPeers: ['d1', 'd2'], directConnectTicks: 5 })
    h.connect('d2')
    const dials = (): string[] => outputsOf(h.heartbeats(1), 'dial').map(d => d.peer)
    expect(dials()).to.deep.equal(['d1'])
    expect(dials()).to.deep.equal([])
    h.heartbeats(2)
    expect(dials()).to.deep.equal(['d1'])
  })

  it('per-topic overrides of D/Dlo/Dhi apply to that topic only', () => {
    const h = new Harness({ topics: { big: { D: 8, Dlo: 6, Dhi: 10 } } })
    for (let i = 0; i < 20; i++) { h.connect(`p${i}`, ['big', 't']) }
    h.router.subscribe('big', h.now)
    h.router.subscribe('t', h.now)
    h.heartbeats(1)
    expect(h.router.getMeshPeers('big')).to.have.length(8)
    expect(h.router.getMeshPeers('t')).to.have.length(6)
    for (let i = 0; i < 20; i++) { h.feed(`p${i}`, { control: { graft: [{ topic: 'big' }] } }) }
    expect(h.router.getMeshPeers('big')).to.have.length(10)
    h.heartbeats(1)
    expect(h.router.getMeshPeers('big')).to.have.length(8)
  })

  it('per-topic Dlazy and Dout apply to that topic only', () => {
    const h = new Harness({ gossipFactor: 0, topics: { lazy: { Dlazy: 2, Dout: 0 } } })
    for (let i = 0; i < 20; i++) { h.connect(`p${i}`, ['lazy', 't']) }
    for (let i = 0; i < 3; i++) { h.connect(`o${i}`, ['lazy', 't'], { outbound: true }) }
    h.router.subscribe('lazy', h.now)
    h.router.subscribe('t', h.now)
    h.router.publish(makeMsg('lazy'), h.now)
    h.router.publish(makeMsg('t'), h.now)
    h.take()
    const out = h.heartbeats(1)
    const gossipedFor = (topic: string): number => sends(out).filter(o => o.rpc.control?.ihave.some(x => x.topic === topic) === true).length
    expect(gossipedFor('lazy')).to.equal(2)
    expect(gossipedFor('t')).to.equal(6)
    // Dout 2 on t: its mesh gained outbound peers; lazy (Dout 0) did not have to
    expect(h.router.getMeshPeers('t').filter(k => k.startsWith('o')).length).to.be.at.least(2)
  })

  it('every bounded structure is reported by sizes()', () => {
    const h = new Harness()
    const s = h.router.sizes()
    for (const k of ['peers', 'peerTopics', 'meshPeers', 'fanoutPeers', 'backoff', 'seen', 'mcache', 'mcacheBytes', 'promises',
      'iwantAsked', 'idontwant', 'pendingValidations', 'pendingDials']) {
      expect(s).to.have.property(k, 0)
    }
  })
})
