import { generateKeyPair } from '@libp2p/crypto/keys'
import { expect } from 'aegir/chai'
import { SeqnoGenerator, Signer } from '../../src/adapter/sign.ts'
import { decodeRpc, encodeFrame, encodeMessageForSigning, encodeRpc, FrameReader } from '../../src/codec/index.ts'
import { emptyControl } from '../../src/types.ts'
import { collect, connect, createPubsubNode, stopAll } from './net.ts'
import { createNode, waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { ScoreThresholdEvent } from '../../src/index.ts'
import type { WireMessage } from '../../src/types.ts'
import type { Libp2p, Stream } from '@libp2p/interface'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)
const PROTO = '/meshsub/1.1.0'
const PROTO13 = '/meshsub/1.3.0'

/** A plain libp2p node speaking the wire protocol by hand: it can send any frame, and read or not. */
async function rawPeer (read: boolean): Promise<{ node: Libp2p, signer: Signer }> {
  const key = await generateKeyPair('Ed25519')
  const node = await createNode('tcp', {}, key)
  await node.handle(PROTO, (stream: Stream) => {
    if (read) {
      stream.addEventListener('message', () => { /* discard */ })
    } else {
      // never read: flow control stops the sender once the windows are full
      stream.pause()
      stream.maxReadBufferLength = 64 * 1024 * 1024
    }
  })
  return { node, signer: new Signer(key, encodeMessageForSigning) }
}

describe('gossipsub service: hostile and slow peers', function () {
  this.timeout(60_000)
  let nodes: PubsubNode[] = []
  let raws: Libp2p[] = []
  afterEach(async () => {
    await stopAll(nodes)
    await Promise.all(raws.map(async r => r.stop()))
    raws = []
  })

  it('a message with an invalid signature is neither delivered nor forwarded', async () => {
    const [b, c] = nodes = [await createPubsubNode('tcp'), await createPubsubNode('tcp')]
    for (const n of nodes) { n.services.pubsub.subscribe('sig') }
    await connect(b, c)
    await b.services.pubsub.waitForMesh('sig')
    const m = await rawPeer(true)
    raws.push(m.node)
    const rejects: string[] = []
    b.services.pubsub.addEventListener('gossipsub:trace', (e) => {
      if (e.detail.type === 'reject') { rejects.push(e.detail.reason) }
    })
    const gotB = collect(b)
    const gotC = collect(c)
    const seqno = new SeqnoGenerator()
    const valid = await m.signer.sign({ topic: 'sig', data: enc('valid') }, seqno.take())
    const forged: WireMessage = { ...(await m.signer.sign({ topic: 'sig', data: enc('x') }, seqno.take())), data: enc('forged') }
    const unsigned: WireMessage = { topic: 'sig', data: enc('unsigned') }
    const stream = await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    await waitFor(() => b.services.pubsub.getPeers().some(p => p.equals(m.node.peerId)))
    stream.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 'sig' }], messages: [forged, unsigned, valid] })))
    await waitFor(() => gotB.length === 1 && gotC.length === 1)
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(gotB.map(x => dec(x.data))).to.deep.equal(['valid'])
    expect(gotC.map(x => dec(x.data))).to.deep.equal(['valid'])
    expect(rejects.sort()).to.deep.equal(['invalid-signature', 'missing-signature'])
  })

  it('invalid messages drive the sender\'s score down and raise threshold events with the breakdown', async () => {
    const scoreParams = { topics: { sig: { topicWeight: 1, invalidMessageDeliveriesWeight: -10, invalidMessageDeliveriesDecay: 0.5 } } }
    const [b] = nodes = [await createPubsubNode('tcp', { scoreParams })]
    b.services.pubsub.subscribe('sig')
    const m = await rawPeer(true)
    raws.push(m.node)
    const events: ScoreThresholdEvent[] = []
    b.services.pubsub.addEventListener('gossipsub:score-threshold', (e) => { events.push(e.detail) })
    const stream = await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    await waitFor(() => b.services.pubsub.getPeers().some(p => p.equals(m.node.peerId)))
    const seqno = new SeqnoGenerator()
    const forged: WireMessage[] = []
    for (let i = 0; i < 3; i++) {
      forged.push({ ...(await m.signer.sign({ topic: 'sig', data: enc(`x${i}`) }, seqno.take())), data: enc(`forged${i}`) })
    }
    stream.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 'sig' }], messages: forged })))
    await waitFor(() => events.some(e => e.threshold === 'gossip' && e.direction === 'down'))
    const ev = events.find(e => e.threshold === 'zero')
    expect(ev?.peer).to.equal(m.node.peerId.toString())
    expect(ev?.direction).to.equal('down')
    expect(b.services.pubsub.getScore(m.node.peerId)).to.equal(-90)
    expect(b.services.pubsub.getScoreSnapshot(m.node.peerId)?.score).to.equal(-90)
    // below the graylist threshold (-80) even a valid message is ignored; its subscriptions still count (go)
    const got = collect(b)
    const valid = await m.signer.sign({ topic: 'sig', data: enc('valid') }, seqno.take())
    stream.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 'later' }], messages: [valid] })))
    await waitFor(() => b.services.pubsub.getSubscribers('later').some(p => p.equals(m.node.peerId)))
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(got).to.have.length(0)
  })

  it('a malformed frame resets the stream; the peer may open a new one', async () => {
    const [b] = nodes = [await createPubsubNode('tcp')]
    b.services.pubsub.subscribe('t')
    const m = await rawPeer(true)
    raws.push(m.node)
    const first = await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    await waitFor(() => b.services.pubsub.getPeers().length === 1)
    // a field with wire type 7 does not exist
    first.send(encodeFrame(new Uint8Array([0x0f, 0x01])))
    await waitFor(() => first.status !== 'open')
    const second = await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    second.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 't' }], messages: [] })))
    await waitFor(() => b.services.pubsub.getSubscribers('t').length === 1)
  })

  it('a peer that opens a stream without advertising the protocol is forgotten when it disconnects', async () => {
    const [b] = nodes = [await createPubsubNode('tcp')]
    const node = await createNode('tcp', {})
    raws.push(node)
    // no handler: identify never reports the protocol, so the registrar will not call onDisconnect
    await node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    await waitFor(() => b.services.pubsub.getSendQueueStats(node.peerId) !== undefined)
    await node.hangUp(b.peerId)
    await waitFor(() => b.services.pubsub.getSendQueueStats(node.peerId) === undefined)
  })

  it('a peer that keeps restarting its stream is cut off after five restarts a minute', async () => {
    const [b] = nodes = [await createPubsubNode('tcp')]
    const m = await rawPeer(true)
    raws.push(m.node)
    const streams: Stream[] = []
    for (let i = 0; i < 7; i++) {
      streams.push(await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO))
      await waitFor(() => b.services.pubsub.getPeers().length === 1)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    await waitFor(() => streams[6].status !== 'open')
    expect(streams[5].status).to.equal('open')
  })

  it('a peer that reopens its stream gets our hello again, without a second ControlExtensions on our stream', async () => {
    const [b] = nodes = [await createPubsubNode('tcp', { testExtension: true })]
    b.services.pubsub.subscribe('t')
    const node = await createNode('tcp', {})
    raws.push(node)
    // the RPCs b sends on each of its streams to us, in order
    const perStream: Array<Array<{ subscriptions: number, extensions: boolean }>> = []
    await node.handle(PROTO13, (stream: Stream) => {
      const rpcs: Array<{ subscriptions: number, extensions: boolean }> = []
      perStream.push(rpcs)
      const reader = new FrameReader()
      stream.addEventListener('message', (e) => {
        reader.push(e.data)
        for (let body = reader.next(); body !== undefined; body = reader.next()) {
          const { rpc } = decodeRpc(body)
          rpcs.push({ subscriptions: rpc.subscriptions.length, extensions: rpc.control?.extensions !== undefined })
        }
      })
    })
    const hello = encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 't' }], messages: [], control: { ...emptyControl(), extensions: { testExtension: true } } }))
    const first = await node.dialProtocol(b.getMultiaddrs()[0], PROTO13)
    first.send(hello)
    await waitFor(() => perStream.flat().filter(r => r.subscriptions > 0).length === 1)
    // we restart our side: a new stream with a new hello
    first.abort(new Error('restart'))
    const second = await node.dialProtocol(b.getMultiaddrs()[0], PROTO13)
    second.send(hello)
    await waitFor(() => perStream.flat().filter(r => r.subscriptions > 0).length === 2)
    await new Promise(resolve => setTimeout(resolve, 100))
    for (const rpcs of perStream) {
      expect(rpcs.slice(1).filter(r => r.extensions), 'ControlExtensions after the first RPC of a stream').to.deep.equal([])
    }
    expect(perStream[0][0].extensions).to.equal(true)
  })

  it('messages of topics we are not subscribed to are dropped and counted before their id is computed', async () => {
    let ids = 0
    const msgIdFn = (m: { data: Uint8Array }): Uint8Array => { ids++; return m.data }
    const [b] = nodes = [await createPubsubNode('tcp', { globalSignaturePolicy: 'StrictNoSign', msgIdFn })]
    b.services.pubsub.subscribe('mine')
    const got = collect(b)
    const m = await rawPeer(true)
    raws.push(m.node)
    const stream = await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    await waitFor(() => b.services.pubsub.getPeers().length === 1)
    const other: WireMessage[] = [1, 2, 3].map(i => ({ topic: 'other', data: new Uint8Array([i]) }))
    stream.send(encodeFrame(encodeRpc({ subscriptions: [], messages: [...other, { topic: 'mine', data: enc('ok') }] })))
    await waitFor(() => got.length === 1)
    expect(ids).to.equal(1)
    expect(b.services.pubsub.inboundCounters.unsubscribedTopic).to.equal(3)
  })

  it('StrictSign messages with a from over 128 bytes or a seqno not of 8 bytes are dropped as invalid before their id', async () => {
    const [b] = nodes = [await createPubsubNode('tcp')]
    b.services.pubsub.subscribe('sig')
    const rejects: string[] = []
    b.services.pubsub.addEventListener('gossipsub:trace', (e) => {
      if (e.detail.type === 'reject') { rejects.push(e.detail.reason) }
    })
    const got = collect(b)
    const m = await rawPeer(true)
    raws.push(m.node)
    const seqno = new SeqnoGenerator()
    const valid = await m.signer.sign({ topic: 'sig', data: enc('valid') }, seqno.take())
    // correctly signed, but its seqno has 9 bytes
    const longSeqno = await m.signer.sign({ topic: 'sig', data: enc('seqno') }, new Uint8Array(9).fill(1))
    const longFrom: WireMessage = { ...valid, data: enc('from'), from: new Uint8Array(100_000).fill(7) }
    const stream = await m.node.dialProtocol(b.getMultiaddrs()[0], PROTO)
    await waitFor(() => b.services.pubsub.getPeers().some(p => p.equals(m.node.peerId)))
    stream.send(encodeFrame(encodeRpc({ subscriptions: [], messages: [longSeqno, longFrom, valid] })))
    await waitFor(() => got.length === 1)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(got.map(x => dec(x.data))).to.deep.equal(['valid'])
    expect(b.services.pubsub.inboundCounters.malformed).to.equal(2)
    expect(rejects).to.deep.equal([])
  })

  it('a peer that stops reading: its queue stays bounded, drops are counted, other peers get everything', async () => {
    const limit = 512 * 1024
    const [a, b] = nodes = [await createPubsubNode('tcp', { maxOutboundBufferSize: limit, globalSignaturePolicy: 'StrictNoSign' }), await createPubsubNode('tcp', { globalSignaturePolicy: 'StrictNoSign' })]
    for (const n of nodes) { n.services.pubsub.subscribe('flood') }
    await connect(a, b)
    const s = await rawPeer(false)
    raws.push(s.node)
    const stream = await s.node.dialProtocol(a.getMultiaddrs()[0], PROTO)
    stream.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 'flood' }], messages: [] })))
    await waitFor(() => a.services.pubsub.getSubscribers('flood').length === 2)
    await a.services.pubsub.waitForMesh('flood')
    const got = collect(b)
    const slowEvents: Array<{ peer: string, slow: boolean }> = []
    a.services.pubsub.addEventListener('gossipsub:slow-peer', (e) => { slowEvents.push({ peer: e.detail.peerId.toString(), slow: e.detail.slow }) })
    let maxBytes = 0
    for (let i = 0; i < 300; i++) {
      const data = new Uint8Array(16 * 1024)
      new DataView(data.buffer).setUint32(0, i)
      await a.services.pubsub.publish('flood', data)
      maxBytes = Math.max(maxBytes, a.services.pubsub.getSendQueueStats(s.node.peerId)?.bytes ?? 0)
      if (i % 20 === 19) { await new Promise(resolve => setTimeout(resolve, 5)) }
    }
    await waitFor(() => got.length === 300, 20_000)
    const stats = a.services.pubsub.getSendQueueStats(s.node.peerId)
    expect(stats).to.not.equal(undefined)
    expect(maxBytes).to.be.at.most(limit)
    expect(stats?.bytes).to.be.at.most(limit)
    expect((stats?.drops.overflow ?? 0) + (stats?.drops.evicted ?? 0)).to.be.greaterThan(0)
    expect(stats?.slow).to.equal(true)
    expect(slowEvents[0]).to.deep.equal({ peer: s.node.peerId.toString(), slow: true })
    // the healthy peer's queue never overflowed
    expect(a.services.pubsub.getSendQueueStats(b.peerId)?.drops.overflow).to.equal(0)
  })
})
