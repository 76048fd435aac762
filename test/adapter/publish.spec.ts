// publish() as the app sees it: too large, no peers, emitSelf, retries, per-call floodPublish, a
// peer whose queue stays full; and what the app reads back (subscription-change, verdicts).

import { expect } from 'aegir/chai'
import { PublishError, StrictNoSign, TopicValidatorResult } from '../../src/index.ts'
import { collect, connect, createPubsubNode, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { GossipsubOpts } from '../../src/index.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)
const noSign: GossipsubOpts = { globalSignaturePolicy: StrictNoSign }

async function pair (optsA: GossipsubOpts = noSign, optsB: GossipsubOpts = noSign, topic = 't'): Promise<PubsubNode[]> {
  const nodes = [await createPubsubNode('memory', optsA), await createPubsubNode('memory', optsB)]
  for (const n of nodes) { n.services.pubsub.subscribe(topic) }
  await connect(nodes[0], nodes[1])
  await waitFor(() => nodes[0].services.pubsub.getSubscribers(topic).length === 1 && nodes[1].services.pubsub.getSubscribers(topic).length === 1)
  return nodes
}

describe('publish: what the app is told', function () {
  this.timeout(60_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('a message over the frame limit rejects MessageTooLarge before it is recorded or counted; one at the limit is delivered', async () => {
    nodes = await pair(noSign, noSign)
    const [a, b] = nodes
    const got = collect(b)
    // a StrictNoSign message on topic 't' with n data bytes (n ≥ 2^21) is an RPC of n + 13 bytes
    const atLimit = 4 * 1024 * 1024 - 13
    const err = await a.services.pubsub.publish('t', new Uint8Array(atLimit + 1)).catch(e => e)
    expect(err).to.be.instanceOf(PublishError).with.property('message', 'PublishError.MessageTooLarge')
    expect(a.services.pubsub.outboundCounters).to.deep.equal({ oversized: 0, dropped: 0, errors: 0, idontwantSkipped: 0 })
    const big = new Uint8Array(atLimit).fill(7)
    expect((await a.services.pubsub.publish('t', big)).recipients.map(String)).to.deep.equal([b.peerId.toString()])
    await waitFor(() => got.length === 1)
    expect(got[0].data.length).to.equal(atLimit)
  })

  it('defaults deliver a 2 MB signed message, as @libp2p/gossipsub does', async () => {
    nodes = await pair({}, {})
    const [a, b] = nodes
    const got = collect(b)
    await a.services.pubsub.publish('t', new Uint8Array(2_000_000).fill(1))
    await waitFor(() => got.length === 1)
    expect(got[0].data.length).to.equal(2_000_000)
  })

  it('emitSelf with no remote peer: delivered once locally and resolved with ourselves as the recipient', async () => {
    const a = await createPubsubNode('memory', { emitSelf: true })
    nodes = [a]
    a.services.pubsub.subscribe('t')
    const got = collect(a)
    const res = await a.services.pubsub.publish('t', enc('to me'))
    expect(res.recipients.map(String)).to.deep.equal([a.peerId.toString()])
    expect(got.map(m => dec(m.data))).to.deep.equal(['to me'])
  })

  it('a publish refused for lack of peers leaves no trace: the same data is published once a peer joins (StrictNoSign)', async () => {
    const [a, b] = nodes = [await createPubsubNode('memory', noSign), await createPubsubNode('memory', noSign)]
    a.services.pubsub.subscribe('t')
    const err = await a.services.pubsub.publish('t', enc('retry me')).catch(e => e)
    expect(err).to.be.instanceOf(PublishError).with.property('message', 'PublishError.NoPeersSubscribedToTopic')
    b.services.pubsub.subscribe('t')
    const got = collect(b)
    await connect(a, b)
    await waitFor(() => a.services.pubsub.getSubscribers('t').length === 1)
    const res = await a.services.pubsub.publish('t', enc('retry me'))
    expect(res.recipients.map(String)).to.deep.equal([b.peerId.toString()])
    await waitFor(() => got.length === 1)
    expect(dec(got[0].data)).to.equal('retry me')
  })

  it('PublishOpts.floodPublish overrides the option for one call, both ways', async () => {
    const degrees = { D: 1, Dlo: 1, Dhi: 1, Dout: 0, Dscore: 0, Dlazy: 1 }
    const hub = await createPubsubNode('memory', { ...noSign, ...degrees, floodPublish: false })
    const spokes = [await createPubsubNode('memory', noSign), await createPubsubNode('memory', noSign), await createPubsubNode('memory', noSign)]
    nodes = [hub, ...spokes]
    for (const n of nodes) { n.services.pubsub.subscribe('t') }
    for (const s of spokes) { await connect(hub, s) }
    await waitFor(() => hub.services.pubsub.getSubscribers('t').length === 3 && hub.services.pubsub.getMeshPeers('t').length === 1)
    expect((await hub.services.pubsub.publish('t', enc('mesh'))).recipients).to.have.length(1)
    expect((await hub.services.pubsub.publish('t', enc('flood'), { floodPublish: true })).recipients).to.have.length(3)
  })

  it('floodPublish: false for one call when the option floods', async () => {
    const degrees = { D: 1, Dlo: 1, Dhi: 1, Dout: 0, Dscore: 0, Dlazy: 1 }
    const hub = await createPubsubNode('memory', { ...noSign, ...degrees })
    const spokes = [await createPubsubNode('memory', noSign), await createPubsubNode('memory', noSign), await createPubsubNode('memory', noSign)]
    nodes = [hub, ...spokes]
    for (const n of nodes) { n.services.pubsub.subscribe('t') }
    for (const s of spokes) { await connect(hub, s) }
    await waitFor(() => hub.services.pubsub.getSubscribers('t').length === 3 && hub.services.pubsub.getMeshPeers('t').length === 1)
    expect((await hub.services.pubsub.publish('t', enc('flood'))).recipients).to.have.length(3)
    expect((await hub.services.pubsub.publish('t', enc('mesh'), { floodPublish: false })).recipients.map(String))
      .to.deep.equal(hub.services.pubsub.getMeshPeers('t'))
  })

  it('subscription-change comes after the router applied the subscriptions, without those over maxPeerTopics', async () => {
    const [a, b] = nodes = [await createPubsubNode('memory', { maxPeerTopics: 2 }), await createPubsubNode('memory')]
    await connect(a, b)
    const seen: Array<{ topics: string[], known: string[] }> = []
    const knownAt = (t: string): boolean => a.services.pubsub.getSubscribers(t).some(p => p.equals(b.peerId))
    a.services.pubsub.addEventListener('subscription-change', (e) => {
      seen.push({ topics: e.detail.subscriptions.map(s => `${s.subscribe ? '+' : '-'}${s.topic}`), known: ['x', 'y', 'z'].filter(knownAt) })
    })
    b.services.pubsub.subscribe('x')
    await waitFor(() => seen.length === 1)
    // one RPC with two more: only the first fits under maxPeerTopics=2
    b.services.pubsub.unsubscribe('x')
    b.services.pubsub.subscribe('x')
    b.services.pubsub.subscribe('y')
    b.services.pubsub.subscribe('z')
    await waitFor(() => a.services.pubsub.getSubscribers('y').length === 1)
    await waitFor(() => seen.flatMap(s => s.topics).includes('+y'))
    expect(seen[0]).to.deep.equal({ topics: ['+x'], known: ['x'] })
    expect(seen.flatMap(s => s.topics)).to.not.include('+z')
    expect(seen.at(-1)?.known).to.deep.equal(['x', 'y'])
  })
})

describe('reportMessageValidationResult: the named propagationSource (as @libp2p/gossipsub)', function () {
  this.timeout(60_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('Reject penalises the peer the app names; Accept credits it; unknown ids are ignored', async () => {
    const scoreParams = { topics: { v: { topicWeight: 1, invalidMessageDeliveriesWeight: -1, invalidMessageDeliveriesDecay: 0.9, firstMessageDeliveriesWeight: 1, firstMessageDeliveriesDecay: 0.9, firstMessageDeliveriesCap: 100 } } }
    const x = await createPubsubNode('memory', { ...noSign, asyncValidation: true, scoreParams })
    const [b, c] = [await createPubsubNode('memory', noSign), await createPubsubNode('memory', noSign)]
    nodes = [x, b, c]
    for (const n of nodes) { n.services.pubsub.subscribe('v') }
    await connect(x, b)
    await connect(x, c)
    await waitFor(() => x.services.pubsub.getSubscribers('v').length === 2)
    const shown: Array<{ msgId: string, from: string }> = []
    x.services.pubsub.addEventListener('gossipsub:message', (e) => { shown.push({ msgId: e.detail.msgId, from: e.detail.propagationSource.toString() }) })
    const topicStats = (p: PubsubNode): { invalid: number, first: number } => {
      const t = x.services.pubsub.getScoreSnapshot(p.peerId)?.topics.v
      return { invalid: t?.invalidMessageDeliveries ?? 0, first: t?.p2.value ?? 0 }
    }
    await b.services.pubsub.publish('v', enc('bad'))
    await waitFor(() => shown.length === 1)
    expect(shown[0].from).to.equal(b.peerId.toString())
    x.services.pubsub.reportMessageValidationResult(shown[0].msgId, c.peerId.toString(), TopicValidatorResult.Reject)
    expect(topicStats(c).invalid).to.equal(1)
    await b.services.pubsub.publish('v', enc('good'))
    await waitFor(() => shown.length === 2)
    x.services.pubsub.reportMessageValidationResult(shown[1].msgId, c.peerId.toString(), TopicValidatorResult.Accept)
    expect(topicStats(c).first).to.equal(1)
    // a second verdict on the same id, and one on an id never shown, change nothing
    x.services.pubsub.reportMessageValidationResult(shown[0].msgId, c.peerId.toString(), TopicValidatorResult.Reject)
    x.services.pubsub.reportMessageValidationResult('nope', c.peerId.toString(), TopicValidatorResult.Reject)
    expect(topicStats(c)).to.deep.equal({ invalid: 1, first: 1 })
  })
})
