import { expect } from 'aegir/chai'
import { StrictSign, TopicValidatorResult } from '../../src/index.ts'
import { collect, connect, createNet, createPubsubNode, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('gossipsub service: networks of real nodes', function () {
  this.timeout(60_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('a 10-node random network delivers 100% of 500 messages', async () => {
    const net = await createNet('memory', 10, { globalSignaturePolicy: StrictSign })
    nodes = net
    for (const n of net) { n.services.pubsub.subscribe('net') }
    // a ring (connected) plus one random chord per node, dialled one at a time
    let seed = 7
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
    for (let i = 0; i < net.length; i++) {
      await connect(net[i], net[(i + 1) % net.length])
      const j = rand(net.length)
      const other = net[j]
      if (j !== i && j !== (i + 1) % net.length && !net[i].services.pubsub.getPeers().some(p => p.equals(other.peerId))) {
        await connect(net[i], other)
      }
    }
    await Promise.all(net.map(async n => n.services.pubsub.waitForMesh('net')))
    const got = net.map(collect)
    for (let i = 0; i < 500; i++) {
      await net[i % net.length].services.pubsub.publish('net', enc(`m${i}`))
      // let the network breathe between bursts so no forward sits in a queue past its ttl
      if (i % 25 === 24) { await new Promise(resolve => setTimeout(resolve, 10)) }
    }
    await waitFor(() => got.every(g => g.length >= 450), 30_000)
    for (let k = 0; k < net.length; k++) {
      const own = Array.from({ length: 500 }, (_, i) => i).filter(i => i % net.length !== k).map(i => `m${i}`)
      expect(got[k].map(m => dec(m.data)).sort()).to.deep.equal(own.sort())
    }
  })

  it('a validator Reject is neither delivered nor forwarded; Accept is', async () => {
    nodes = await createNet('memory', 3)
    const [a, b, c] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('v') }
    b.services.pubsub.topicValidators.set('v', (_peer, msg) => dec(msg.data) === 'bad' ? TopicValidatorResult.Reject : TopicValidatorResult.Accept)
    await connect(a, b)
    await connect(b, c)
    await b.services.pubsub.waitForMesh('v', { min: 2 })
    await a.services.pubsub.waitForMesh('v')
    const gotB = collect(b)
    const gotC = collect(c)
    await a.services.pubsub.publish('v', enc('bad'))
    await a.services.pubsub.publish('v', enc('good'))
    await waitFor(() => gotC.length === 1 && gotB.length === 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(gotB.map(m => dec(m.data))).to.deep.equal(['good'])
    expect(gotC.map(m => dec(m.data))).to.deep.equal(['good'])
  })

  it('asyncValidation: forwarded only after the app accepts; a rejected message goes nowhere', async () => {
    nodes = [await createPubsubNode('memory'), await createPubsubNode('memory', { asyncValidation: true }), await createPubsubNode('memory')]
    const [a, b, c] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('av') }
    await connect(a, b)
    await connect(b, c)
    await b.services.pubsub.waitForMesh('av', { min: 2 })
    await a.services.pubsub.waitForMesh('av')
    const shown: Array<{ msgId: string, source: string, data: string }> = []
    b.services.pubsub.addEventListener('gossipsub:message', (e) => {
      shown.push({ msgId: e.detail.msgId, source: e.detail.propagationSource.toString(), data: dec(e.detail.msg.data) })
    })
    const gotC = collect(c)
    await a.services.pubsub.publish('av', enc('hold'))
    await a.services.pubsub.publish('av', enc('drop'))
    await waitFor(() => shown.length === 2)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(gotC).to.have.length(0)
    const hold = shown.find(s => s.data === 'hold')
    const drop = shown.find(s => s.data === 'drop')
    expect(hold?.source).to.equal(a.peerId.toString())
    b.services.pubsub.reportMessageValidationResult(drop?.msgId ?? '', drop?.source ?? '', TopicValidatorResult.Reject)
    b.services.pubsub.reportMessageValidationResult(hold?.msgId ?? '', hold?.source ?? '', TopicValidatorResult.Accept)
    await waitFor(() => gotC.length === 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(gotC.map(m => dec(m.data))).to.deep.equal(['hold'])
    // b showed each message once, and not again when accepting it
    expect(shown).to.have.length(2)
  })

  it('an async topic validator is awaited', async () => {
    nodes = await createNet('tcp', 2)
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('slowval') }
    b.services.pubsub.topicValidators.set('slowval', async (_peer, msg) => {
      await new Promise(resolve => setTimeout(resolve, 20))
      return dec(msg.data).startsWith('ok') ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore
    })
    await connect(a, b)
    await a.services.pubsub.waitForMesh('slowval')
    const got = collect(b)
    for (const d of ['ok1', 'no', 'ok2']) { await a.services.pubsub.publish('slowval', enc(d)) }
    await waitFor(() => got.length === 2)
    expect(got.map(m => dec(m.data)).sort()).to.deep.equal(['ok1', 'ok2'])
  })

  it('a stream reset is followed by a new stream, and messages flow again', async () => {
    nodes = await createNet('tcp', 2)
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('r') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('r')
    const got = collect(b)
    await a.services.pubsub.publish('r', enc('before'))
    await waitFor(() => got.length === 1)
    // b resets the stream a writes on
    const conn = b.getConnections(a.peerId)[0]
    const inbound = conn.streams.find(s => s.direction === 'inbound' && s.protocol.startsWith('/meshsub/'))
    expect(inbound).to.not.equal(undefined)
    inbound?.abort(new Error('reset by test'))
    await waitFor(() => conn.streams.some(s => s.direction === 'inbound' && s.protocol.startsWith('/meshsub/') && s !== inbound && s.status === 'open'))
    await waitFor(() => b.services.pubsub.getSubscribers('r').length === 1 && a.services.pubsub.getMeshPeers('r').length === 1)
    await a.services.pubsub.publish('r', enc('after'))
    await waitFor(() => got.length === 2)
    expect(dec(got[1].data)).to.equal('after')
  })

  it('PX in a PRUNE leads to a new connection', async () => {
    const pxOpts = { doPX: true, scoreThresholds: { acceptPXThreshold: 0 } }
    nodes = [await createPubsubNode('tcp', pxOpts), await createPubsubNode('tcp', pxOpts), await createPubsubNode('tcp', pxOpts)]
    const [a, b, c] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('px') }
    await connect(a, b)
    await connect(c, b)
    await b.services.pubsub.waitForMesh('px', { min: 2 })
    expect(a.getConnections(c.peerId)).to.have.length(0)
    // leaving prunes a and c with PX naming the other, with its signed peer record
    b.services.pubsub.unsubscribe('px')
    await waitFor(() => a.getConnections(c.peerId).length > 0, 10_000)
    await waitFor(() => a.services.pubsub.getPeers().some(p => p.equals(c.peerId)))
  })

  it('a direct peer is connected at start and re-dialled after a disconnect', async () => {
    const b = await createPubsubNode('tcp')
    const a = await createPubsubNode('tcp', { directPeers: [{ id: b.peerId, addrs: b.getMultiaddrs() }], directConnectTicks: 2 })
    nodes = [a, b]
    await waitFor(() => a.getConnections(b.peerId).length > 0)
    await a.hangUp(b.peerId)
    await waitFor(() => a.getConnections(b.peerId).length > 0, 10_000)
    await waitFor(() => a.services.pubsub.getPeers().some(p => p.equals(b.peerId)))
  })
})
