import { expect } from 'aegir/chai'
import { PublishError, StrictNoSign, StrictSign } from '../../src/index.ts'
import { collect, connect, createNet, createPubsubNode, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { TransportKind } from './nodes.ts'
import type { SignaturePolicy } from '../../src/index.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

for (const kind of ['tcp', 'memory'] as TransportKind[]) {
  for (const policy of [StrictSign, StrictNoSign] as SignaturePolicy[]) {
    describe(`gossipsub service: two nodes over ${kind}, ${policy}`, () => {
      let nodes: PubsubNode[] = []
      afterEach(async () => { await stopAll(nodes) })

      it('delivers in both directions, with the right message shape', async () => {
        nodes = await createNet(kind, 2, { globalSignaturePolicy: policy })
        const [a, b] = nodes
        expect(a.services.pubsub.isStarted()).to.equal(true)
        a.services.pubsub.subscribe('t')
        b.services.pubsub.subscribe('t')
        await connect(a, b)
        await waitFor(() => a.services.pubsub.getSubscribers('t').length === 1 && b.services.pubsub.getSubscribers('t').length === 1)
        await a.services.pubsub.waitForMesh('t')
        await b.services.pubsub.waitForMesh('t')
        const gotA = collect(a)
        const gotB = collect(b)
        const res = await a.services.pubsub.publish('t', enc('a→b'))
        expect(res.recipients.map(p => p.toString())).to.deep.equal([b.peerId.toString()])
        await b.services.pubsub.publish('t', enc('b→a'))
        await waitFor(() => gotA.length === 1 && gotB.length === 1)
        expect(dec(gotB[0].data)).to.equal('a→b')
        expect(dec(gotA[0].data)).to.equal('b→a')
        expect(gotB[0].type).to.equal(policy === StrictSign ? 'signed' : 'unsigned')
        if (gotB[0].type === 'signed') {
          expect(gotB[0].from.equals(a.peerId)).to.equal(true)
          expect(gotB[0].key.equals(a.peerId.publicKey)).to.equal(true)
        }
        expect(a.services.pubsub.getMeshPeers('t')).to.deep.equal([b.peerId.toString()])
        expect(a.services.pubsub.getTopics()).to.deep.equal(['t'])
      })
    })
  }
}

describe('gossipsub service: publish semantics', () => {
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('throws PublishError.NoPeersSubscribedToTopic unless allowed, and PublishError.Duplicate', async () => {
    nodes = await createNet('memory', 1)
    const [a] = nodes
    a.services.pubsub.subscribe('t')
    const err = await a.services.pubsub.publish('t', enc('x')).catch(e => e)
    expect(err).to.be.instanceOf(PublishError)
    expect(err.message).to.equal('PublishError.NoPeersSubscribedToTopic')
    const ok = await a.services.pubsub.publish('t', enc('x'), { allowPublishToZeroTopicPeers: true })
    expect(ok.recipients).to.deep.equal([])
  })

  it('a message over the topic\'s maxMessageSize is refused on publish and rejected on receipt', async () => {
    nodes = [await createPubsubNode('memory', { topics: { small: { maxMessageSize: 4 } } }), await createPubsubNode('memory')]
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('small') }
    await connect(a, b)
    await waitFor(() => b.services.pubsub.getSubscribers('small').length === 1)
    const err = await a.services.pubsub.publish('small', enc('12345')).catch(e => e)
    expect(err).to.be.instanceOf(PublishError).with.property('message', 'PublishError.MessageTooLarge')
    const got = collect(a)
    const rejects: string[] = []
    a.services.pubsub.addEventListener('gossipsub:trace', (e) => { if (e.detail.type === 'reject') { rejects.push(e.detail.reason) } })
    await b.services.pubsub.publish('small', enc('12345'))
    await b.services.pubsub.publish('small', enc('1234'))
    await waitFor(() => got.length === 1 && rejects.length === 1)
    expect(dec(got[0].data)).to.equal('1234')
    expect(rejects).to.deep.equal(['too-large'])
  })

  it('a publish right after subscribe is delivered', async () => {
    nodes = await createNet('tcp', 2, { globalSignaturePolicy: StrictNoSign })
    const [a, b] = nodes
    await connect(a, b)
    const got = collect(b)
    b.services.pubsub.subscribe('fresh')
    await waitFor(() => a.services.pubsub.getSubscribers('fresh').length === 1)
    // a has not joined the topic: flood publish reaches the subscriber at once
    await a.services.pubsub.publish('fresh', enc('first'))
    await waitFor(() => got.length === 1)
    expect(dec(got[0].data)).to.equal('first')
  })

  it('without flood publishing, a publish right after subscribe goes through the mesh grafted on subscribe', async () => {
    nodes = await createNet('tcp', 2, { floodPublish: false, heartbeatInterval: 60_000, heartbeatInitialDelay: 60_000 })
    const [a, b] = nodes
    b.services.pubsub.subscribe('join')
    await connect(a, b)
    await waitFor(() => a.services.pubsub.getSubscribers('join').length === 1)
    const got = collect(b)
    // no heartbeat will run during the test: the mesh must come from the subscribe itself
    a.services.pubsub.subscribe('join')
    expect(a.services.pubsub.getMeshPeers('join')).to.deep.equal([b.peerId.toString()])
    const res = await a.services.pubsub.publish('join', enc('now'))
    expect(res.recipients).to.have.length(1)
    await waitFor(() => got.length === 1)
    expect(dec(got[0].data)).to.equal('now')
  })

  it('same data twice under StrictNoSign is a duplicate', async () => {
    nodes = await createNet('memory', 2, { globalSignaturePolicy: StrictNoSign })
    const [a, b] = nodes
    b.services.pubsub.subscribe('t')
    await connect(a, b)
    await waitFor(() => a.services.pubsub.getSubscribers('t').length === 1)
    await a.services.pubsub.publish('t', enc('same'))
    const err = await a.services.pubsub.publish('t', enc('same')).catch(e => e)
    expect(err).to.be.instanceOf(PublishError).with.property('message', 'PublishError.Duplicate')
    const ignored = await a.services.pubsub.publish('t', enc('same'), { ignoreDuplicatePublishError: true })
    expect(ignored.recipients).to.deep.equal([])
  })

  it('the service can be stopped and started again on a live connection', async () => {
    nodes = await createNet('tcp', 2)
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('r') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('r')
    expect(a.services.pubsub.started).to.equal(true)
    await a.services.pubsub.stop()
    expect(a.services.pubsub.isStarted()).to.equal(false)
    // a boolean getter as in @libp2p/gossipsub (it was a method, so always truthy)
    expect(a.services.pubsub.started).to.equal(false)
    await waitFor(() => b.services.pubsub.getPeers().length === 0)
    await a.services.pubsub.start()
    expect(a.services.pubsub.started).to.equal(true)
    a.services.pubsub.subscribe('r')
    await a.services.pubsub.waitForMesh('r')
    const got = collect(b)
    await a.services.pubsub.publish('r', enc('again'))
    await waitFor(() => got.length === 1)
  })

  it('waitForMesh resolves once grafted and rejects on abort', async () => {
    nodes = await createNet('memory', 2)
    const [a, b] = nodes
    const ctrl = new AbortController()
    const lonely = a.services.pubsub.waitForMesh('nobody', { signal: ctrl.signal })
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    const meshed = a.services.pubsub.waitForMesh('t', { min: 1 })
    await connect(a, b)
    await meshed
    expect(a.services.pubsub.getMeshPeers('t')).to.have.length(1)
    ctrl.abort(new Error('gave up'))
    await expect(lonely).to.eventually.be.rejectedWith('gave up')
  })
})
