import { sha256 } from '@noble/hashes/sha2.js'
import { expect } from 'aegir/chai'
import { StrictNoSign, StrictSign } from '../../src/index.ts'
import { collect, connect, createPubsubNode, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { GossipsubMessage, GossipsubOpts, SubscriptionChangeData } from '../../src/index.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('gossipsub service: options in action', function () {
  this.timeout(30_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('talks to a /floodsub/1.0.0-only peer in both directions', async () => {
    const [a, b] = nodes = [await createPubsubNode('memory', { protocols: ['/floodsub/1.0.0'] }), await createPubsubNode('memory')]
    for (const n of nodes) { n.services.pubsub.subscribe('f') }
    await connect(a, b)
    await waitFor(() => a.services.pubsub.getSubscribers('f').length === 1 && b.services.pubsub.getSubscribers('f').length === 1)
    const gotA = collect(a)
    const gotB = collect(b)
    await a.services.pubsub.publish('f', enc('from floodsub'))
    await b.services.pubsub.publish('f', enc('from meshsub'))
    await waitFor(() => gotA.length === 1 && gotB.length === 1)
    expect(dec(gotA[0].data)).to.equal('from meshsub')
    expect(dec(gotB[0].data)).to.equal('from floodsub')
  })

  it('per-topic signature policy overrides the global one', async () => {
    const opts: GossipsubOpts = { globalSignaturePolicy: StrictSign, topics: { open: { signaturePolicy: StrictNoSign } } }
    const [a, b] = nodes = [await createPubsubNode('memory', opts), await createPubsubNode('memory', opts)]
    for (const n of nodes) { n.services.pubsub.subscribe('open'); n.services.pubsub.subscribe('closed') }
    await connect(a, b)
    await waitFor(() => a.services.pubsub.getSubscribers('closed').length === 1 && a.services.pubsub.getSubscribers('open').length === 1)
    const got = collect(b)
    await a.services.pubsub.publish('open', enc('o'))
    await a.services.pubsub.publish('closed', enc('c'))
    await waitFor(() => got.length === 2)
    const byTopic = Object.fromEntries(got.map(m => [m.topic, m.type]))
    expect(byTopic).to.deep.equal({ open: 'unsigned', closed: 'signed' })
  })

  it('dataTransform, per-topic msgIdFn and fastMsgIdFn are applied', async () => {
    const reverse = (_t: string, d: Uint8Array): Uint8Array => d.slice().reverse()
    let fastCalls = 0
    const opts: GossipsubOpts = {
      globalSignaturePolicy: StrictNoSign,
      dataTransform: { inboundTransform: reverse, outboundTransform: reverse },
      fastMsgIdFn: (m: { data?: Uint8Array }) => { fastCalls++; return dec(m.data ?? new Uint8Array(0)) },
      topics: { ids: { msgIdFn: (m: { data: Uint8Array }) => sha256.create().update(enc('id:')).update(m.data).digest() } }
    }
    const [a, b] = nodes = [await createPubsubNode('memory', opts), await createPubsubNode('memory', opts)]
    for (const n of nodes) { n.services.pubsub.subscribe('ids') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('ids')
    const events: GossipsubMessage[] = []
    b.services.pubsub.addEventListener('gossipsub:message', (e) => { events.push(e.detail) })
    await a.services.pubsub.publish('ids', enc('abc'))
    await waitFor(() => events.length === 1)
    expect(dec(events[0].msg.data)).to.equal('abc')
    const expected = btoa(String.fromCharCode(...sha256(enc('id:abc'))))
    expect(events[0].msgId).to.equal(expected)
    expect(fastCalls).to.be.greaterThan(0)
  })

  it('an asynchronous msgIdFn is awaited without reordering a peer\'s messages', async () => {
    const opts: GossipsubOpts = {
      globalSignaturePolicy: StrictNoSign,
      msgIdFn: async (m) => {
        // later messages resolve sooner: order must still hold
        await new Promise(resolve => setTimeout(resolve, 20 - m.data[0]))
        return sha256(m.data)
      }
    }
    const [a, b] = nodes = [await createPubsubNode('memory', opts), await createPubsubNode('memory', opts)]
    for (const n of nodes) { n.services.pubsub.subscribe('aid') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('aid')
    const got = collect(b)
    for (let i = 0; i < 10; i++) { await a.services.pubsub.publish('aid', new Uint8Array([i])) }
    await waitFor(() => got.length === 10)
    expect(got.map(m => m.data[0])).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('emitSelf delivers our own publishes to us', async () => {
    const [a, b] = nodes = [await createPubsubNode('memory', { emitSelf: true }), await createPubsubNode('memory')]
    for (const n of nodes) { n.services.pubsub.subscribe('me') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('me')
    const got = collect(a)
    const events: GossipsubMessage[] = []
    a.services.pubsub.addEventListener('gossipsub:message', (e) => { events.push(e.detail) })
    await a.services.pubsub.publish('me', enc('self'))
    await waitFor(() => got.length === 1)
    expect(events[0].propagationSource.equals(a.peerId)).to.equal(true)
  })

  it('allowedTopics filters remote subscriptions; subscription-change reports the rest', async () => {
    const [a, b] = nodes = [await createPubsubNode('memory'), await createPubsubNode('memory', { allowedTopics: ['yes'] })]
    const changes: SubscriptionChangeData[] = []
    b.services.pubsub.addEventListener('subscription-change', (e) => { changes.push(e.detail) })
    a.services.pubsub.subscribe('yes')
    a.services.pubsub.subscribe('no')
    await connect(a, b)
    await waitFor(() => b.services.pubsub.getSubscribers('yes').length === 1)
    expect(b.services.pubsub.getSubscribers('no')).to.deep.equal([])
    expect(changes.flatMap(c => c.subscriptions)).to.deep.equal([{ topic: 'yes', subscribe: true }])
    expect(changes[0].peerId.equals(a.peerId)).to.equal(true)
  })

  it('getScoreSnapshot explains a connected peer\'s score', async () => {
    const opts = { scoreParams: { topics: { s: { topicWeight: 1, timeInMeshWeight: 1, timeInMeshQuantum: 100, timeInMeshCap: 10 } } } }
    const [a, b] = nodes = [await createPubsubNode('memory', opts), await createPubsubNode('memory', opts)]
    for (const n of nodes) { n.services.pubsub.subscribe('s') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('s')
    const snap = a.services.pubsub.getScoreSnapshot(b.peerId)
    expect(snap).to.not.equal(undefined)
    expect(a.services.pubsub.getScoreSnapshot('12D3KooWNotAPeer')).to.equal(undefined)
    await waitFor(() => a.services.pubsub.getScore(b.peerId) > 0, 5000)
  })
})
