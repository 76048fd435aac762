import { expect } from 'aegir/chai'
import { protocolFeatures, supportedProtocols } from '../../src/core/features.ts'
import { hasTopic, noTopics, topicCount, withTopic, withoutTopic } from '../../src/core/peers.ts'
import { FloodsubID, GossipsubIDv10, GossipsubIDv11, GossipsubIDv12, GossipsubIDv13 } from '../../src/core/types.ts'
import { emptyControl } from '../../src/types.ts'
import { Harness, TestScore, controlTo, makeMsg, outputsOf, sends, traces } from './harness.ts'

describe('core/peers: hello, subscriptions, feature table', () => {
  it('sends our subscriptions in a hello on connect', () => {
    const h = new Harness()
    h.router.subscribe('a', h.now)
    h.router.subscribe('b', h.now)
    h.take()
    const out = h.connect('p1')
    const hello = sends(out, 'p1')
    expect(hello).to.have.length(1)
    expect(hello[0].rpc.subscriptions).to.deep.equal([{ subscribe: true, topic: 'a' }, { subscribe: true, topic: 'b' }])
    expect(hello[0].priority).to.equal(0)
    expect(h.router.getPeers()).to.deep.equal(['p1'])
    expect(h.router.peerProtocol('p1')).to.equal(GossipsubIDv12)
  })

  it('sends nothing on connect when there is nothing to say', () => {
    const h = new Harness()
    expect(sends(h.connect('p1'))).to.have.length(0)
  })

  it('tracks SUBSCRIBE and UNSUBSCRIBE per peer and forgets a removed peer', () => {
    const h = new Harness()
    h.connect('p1', ['a', 'b'])
    h.connect('p2', ['a'])
    expect(h.router.getSubscribers('a').sort()).to.deep.equal(['p1', 'p2'])
    h.feed('p1', { subscriptions: [{ subscribe: false, topic: 'a' }] })
    expect(h.router.getSubscribers('a')).to.deep.equal(['p2'])
    h.router.removePeer('p2', h.now)
    expect(h.router.getSubscribers('a')).to.deep.equal([])
    expect(h.router.getSubscribers('b')).to.deep.equal(['p1'])
    expect(h.router.sizes()).to.include({ peers: 1, peerTopics: 1, knownTopics: 1 })
    expect(traces(h.take(), 'remove-peer')).to.have.length(1)
  })

  it('bounds the topics a peer can subscribe to by count and by bytes (docs/protocol.md §7)', () => {
    const h = new Harness({ maxPeerTopics: 3, maxPeerTopicBytes: 1000 })
    h.connect('p1', ['t1', 't2', 't3', 't4', 't5'])
    expect(h.router.sizes().maxPeerTopics).to.equal(3)
    expect(h.router.counters().subscriptionsOverLimit).to.equal(2)
    // after an unsubscribe there is room again
    h.feed('p1', { subscriptions: [{ subscribe: false, topic: 't1' }, { subscribe: true, topic: 't5' }] })
    expect(h.router.getSubscribers('t5')).to.deep.equal(['p1'])

    const b = new Harness({ maxPeerTopicBytes: 10 })
    b.connect('p1', ['12345', '67890', 'x'])
    expect(b.router.getSubscribers('x')).to.deep.equal([])
    expect(b.router.sizes().peerTopics).to.equal(2)
  })

  it('feature table: one entry per protocol id', () => {
    expect(supportedProtocols).to.deep.equal([GossipsubIDv13, GossipsubIDv12, GossipsubIDv11, GossipsubIDv10, FloodsubID])
    expect(protocolFeatures(FloodsubID)).to.deep.equal({ protocol: FloodsubID, mesh: false, px: false, idontwant: false, extensions: false })
    expect(protocolFeatures(GossipsubIDv10)).to.deep.equal({ protocol: GossipsubIDv10, mesh: true, px: false, idontwant: false, extensions: false })
    expect(protocolFeatures(GossipsubIDv11)).to.deep.equal({ protocol: GossipsubIDv11, mesh: true, px: true, idontwant: false, extensions: false })
    expect(protocolFeatures(GossipsubIDv12)).to.deep.equal({ protocol: GossipsubIDv12, mesh: true, px: true, idontwant: true, extensions: false })
    expect(protocolFeatures(GossipsubIDv13)).to.deep.equal({ protocol: GossipsubIDv13, mesh: true, px: true, idontwant: true, extensions: true })
    expect(protocolFeatures('/other/1.0.0')).to.equal(undefined)
    expect(protocolFeatures('toString')).to.equal(undefined)
  })

  it('ignores peers on unknown protocols, and floodsub peers when floodsub is off', () => {
    const h = new Harness()
    h.connect('x', [], { protocol: '/nope/1.0.0' })
    expect(h.router.getPeers()).to.deep.equal([])
    const f = new Harness({ floodsub: false })
    f.connect('x', [], { protocol: FloodsubID })
    expect(f.router.getPeers()).to.deep.equal([])
  })

  it('floodsub peers are never grafted and get no control', () => {
    const h = new Harness()
    h.connect('f', ['t'], { protocol: FloodsubID })
    h.router.subscribe('t', h.now)
    const out = h.take()
    expect(controlTo(out, 'f').graft).to.have.length(0)
    expect(h.router.getMeshPeers('t')).to.deep.equal([])
  })

  it('one subscriptions trace per RPC, after they apply, without those refused over the caps', () => {
    const h = new Harness({ maxPeerTopics: 2 })
    h.connect('p1')
    const out = h.feed('p1', { subscriptions: [{ subscribe: true, topic: 'a' }, { subscribe: true, topic: 'b' }, { subscribe: true, topic: 'c' }, { subscribe: true, topic: '' }, { subscribe: false, topic: 'a' }] })
    expect(traces(out, 'subscriptions')).to.deep.equal([{
      type: 'subscriptions', peer: 'p1', subscriptions: [{ subscribe: true, topic: 'a' }, { subscribe: true, topic: 'b' }, { subscribe: false, topic: 'a' }]
    }])
    expect(h.router.getSubscribers('b')).to.deep.equal(['p1'])
    expect(traces(h.feed('p1', { subscriptions: [{ subscribe: true, topic: 'x' }, { subscribe: true, topic: 'y' }] }), 'subscriptions'))
      .to.deep.equal([{ type: 'subscriptions', peer: 'p1', subscriptions: [{ subscribe: true, topic: 'x' }] }])
    expect(traces(h.feed('p1', { control: { graft: [{ topic: 'x' }] } }), 'subscriptions')).to.deep.equal([])
  })

  it('graylisted peers: messages and control ignored, subscriptions still applied (go); direct peers are exempt', () => {
    const score = new TestScore()
    const h = new Harness({ directPeers: ['d'] }, { score })
    h.connect('p', ['t'])
    h.connect('d', ['t'])
    h.router.subscribe('t', h.now)
    h.take()
    score.scores.set('p', -81)
    score.scores.set('d', -1000)
    expect(h.router.acceptsRpcFrom('p')).to.equal(false)
    expect(h.router.acceptsRpcFrom('d')).to.equal(true)
    expect(h.router.acceptsRpcFrom('unknown')).to.equal(false)
    const m = makeMsg('t')
    const out = h.feed('p', {
      subscriptions: [{ subscribe: true, topic: 'u' }, { subscribe: false, topic: 't' }],
      messages: [m],
      control: { ihave: [{ topic: 't', messageIds: [makeMsg('t').id] }], graft: [{ topic: 't' }] }
    })
    expect(h.router.getSubscribers('u')).to.deep.equal(['p'])
    expect(h.router.getSubscribers('t')).to.deep.equal(['d'])
    expect(outputsOf(out, 'validate')).to.have.length(0)
    expect(h.router.isSeen(m.idKey)).to.equal(false)
    expect(controlTo(out, 'p')).to.deep.equal(emptyControl())
    expect(h.router.getMeshPeers('t')).to.deep.equal([])
  })

  it('a peer that reconnects graylisted (retained score) is known by its topics once its score recovers', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    h.router.subscribe('t', h.now)
    score.scores.set('p', -100)
    h.connect('p', ['t'])
    expect(h.router.getSubscribers('t')).to.deep.equal(['p'])
    score.scores.set('p', 0)
    h.heartbeats(1)
    expect(h.router.getMeshPeers('t')).to.deep.equal(['p'])
  })

  it('reports connect and disconnect to the score provider', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    h.connect('p', [], { ip: '1.2.3.4' })
    h.router.removePeer('p', h.now)
    expect(score.named('addPeer')).to.deep.equal([['p']])
    expect(score.named('removePeer')).to.deep.equal([['p']])
  })
})

describe('core/peers: a peer\'s topic list', () => {
  it('keeps an exact array while small, a Set beyond eight, and answers the same either way', () => {
    let topics = noTopics()
    const names = Array.from({ length: 12 }, (_, i) => `t${i}`)
    for (const [i, t] of names.entries()) {
      expect(hasTopic(topics, t)).to.equal(false)
      topics = withTopic(topics, t)
      expect(hasTopic(topics, t)).to.equal(true)
      expect(topicCount(topics)).to.equal(i + 1)
      expect(topics instanceof Set).to.equal(i + 1 > 8)
    }
    expect([...topics].sort()).to.deep.equal([...names].sort())
    for (const [i, t] of names.entries()) {
      const rest = withoutTopic(topics, t)
      expect(rest).to.not.equal(undefined)
      topics = rest ?? topics
      expect(hasTopic(topics, t)).to.equal(false)
      expect(topicCount(topics)).to.equal(names.length - i - 1)
      expect(withoutTopic(topics, t)).to.equal(undefined)
    }
  })

  it('replaces a small list rather than changing it (a list handed out stays as it was)', () => {
    const one = withTopic(noTopics(), 'a')
    const two = withTopic(one, 'b')
    expect([...one]).to.deep.equal(['a'])
    expect([...two]).to.deep.equal(['a', 'b'])
    expect([...(withoutTopic(two, 'a') ?? [])]).to.deep.equal(['b'])
    expect([...two]).to.deep.equal(['a', 'b'])
    expect(topicCount(noTopics())).to.equal(0)
  })

  it('a peer announcing many topics is bounded by maxPeerTopics and leaves no subscriber behind', () => {
    const h = new Harness({ maxPeerTopics: 10 })
    const topics = Array.from({ length: 14 }, (_, i) => `t${i}`)
    h.connect('a', topics)
    expect(h.router.getSubscribers('t9')).to.deep.equal(['a'])
    expect(h.router.getSubscribers('t10')).to.deep.equal([])
    h.router.removePeer('a', h.now)
    h.take()
    for (const t of topics) { expect(h.router.getSubscribers(t)).to.deep.equal([]) }
  })
})
