// A burst of the app's own publishes, each awaited, to one healthy peer: every publish that
// resolves is delivered (backpressure in publish(), not a silent drop from the send queue); a peer
// that stops reading is waited for at most publishQueueTtl, then reported slow and left out.

import { expect } from 'aegir/chai'
import { encodeFrame, encodeRpc } from '../../src/codec/index.ts'
import { PublishError, StrictNoSign, StrictSign } from '../../src/index.ts'
import { collect, connect, createNet, createPubsubNode, stopAll } from './net.ts'
import { createNode, waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { GossipsubOpts, SignaturePolicy } from '../../src/index.ts'
import type { Libp2p, Stream } from '@libp2p/interface'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)

/** StrictSign signs and verifies every message: half as many keep its run near the other's */
const COUNTS: Record<SignaturePolicy, number> = { StrictNoSign: 20_000, StrictSign: 10_000 }
const SIZE = 1024

/** Resolves once `count()` reaches `target`; rejects when it has not moved for `stallMs`. */
async function progress (count: () => number, target: number, stallMs: number): Promise<void> {
  let last = -1
  let movedAt = Date.now()
  while (count() < target) {
    if (count() !== last) {
      last = count()
      movedAt = Date.now()
    } else if (Date.now() - movedAt > stallMs) {
      throw new Error(`stalled at ${last} of ${target}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

for (const policy of [StrictNoSign, StrictSign] as SignaturePolicy[]) {
  const COUNT = COUNTS[policy]
  describe(`publish burst: ${COUNT} × 1 KiB awaited, ${policy}`, function () {
    // a few seconds alone; the bound is for a loaded machine (the wait below fails on a stall, not on slowness)
    this.timeout(600_000)
    let nodes: PubsubNode[] = []
    afterEach(async () => { await stopAll(nodes) })

    it('every resolved publish is delivered exactly once', async () => {
      nodes = await createNet('tcp', 2, { globalSignaturePolicy: policy })
      const [a, b] = nodes
      a.services.pubsub.subscribe('t')
      b.services.pubsub.subscribe('t')
      await connect(a, b)
      await a.services.pubsub.waitForMesh('t')
      const seen = new Set<number>()
      let received = 0
      b.services.pubsub.addEventListener('message', (e) => {
        received++
        seen.add(new DataView(e.detail.data.buffer, e.detail.data.byteOffset).getUint32(0))
      })
      let resolvedTo = 0
      for (let i = 0; i < COUNT; i++) {
        const data = new Uint8Array(SIZE)
        new DataView(data.buffer).setUint32(0, i)
        const res = await a.services.pubsub.publish('t', data)
        if (res.recipients.some(p => p.equals(b.peerId))) { resolvedTo++ }
      }
      expect(resolvedTo).to.equal(COUNT)
      await progress(() => received, COUNT, 20_000)
      expect(received, 'messages delivered').to.equal(COUNT)
      expect(seen.size).to.equal(COUNT)
      const stats = a.services.pubsub.getSendQueueStats(b.peerId)
      expect(stats?.drops, 'frames dropped from the send queue').to.deep.equal({ overflow: 0, stale: 0, cancelled: 0, evicted: 0 })
    })
  })
}

describe('publish burst while the peer\'s queue carries forwards of others', function () {
  this.timeout(600_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('every own publish that resolves is delivered; only forwards may be dropped, and they are counted', async () => {
    // c → a → b: a forwards c's burst to b while its app publishes its own burst to b
    const [a, b, c] = nodes = await createNet('tcp', 3, { globalSignaturePolicy: StrictNoSign })
    for (const n of nodes) { n.services.pubsub.subscribe('t') }
    await connect(c, a)
    await connect(a, b)
    await waitFor(() => a.services.pubsub.getMeshPeers('t').length === 2)
    const N = 5000
    let own = 0
    let forwarded = 0
    b.services.pubsub.addEventListener('message', (e) => {
      if (e.detail.data[0] === 1) { own++ } else { forwarded++ }
    })
    const burst = async (node: PubsubNode, tag: number): Promise<void> => {
      for (let i = 0; i < N; i++) {
        const data = new Uint8Array(SIZE)
        data[0] = tag
        new DataView(data.buffer).setUint32(1, i)
        await node.services.pubsub.publish('t', data)
      }
    }
    await Promise.all([burst(a, 1), burst(c, 2)])
    await progress(() => own, N, 20_000).catch(err => {
      throw new Error(`own: ${(err as Error).message}; forwarded ${forwarded}; a→b ${JSON.stringify(a.services.pubsub.getSendQueueStats(b.peerId))}; b counters ${JSON.stringify(b.services.pubsub.inboundCounters)}`)
    })
    expect(own).to.equal(N)
    const drops = a.services.pubsub.getSendQueueStats(b.peerId)?.drops
    // whatever of c's burst did not reach b was dropped from a's queue and counted
    await waitFor(() => a.services.pubsub.getSendQueueStats(b.peerId)?.length === 0, 60_000)
    await progress(() => forwarded, N - (drops?.evicted ?? 0) - (drops?.overflow ?? 0) - (drops?.stale ?? 0), 5_000)
  })
})

describe('publish backpressure: a peer that stops reading', function () {
  this.timeout(60_000)
  let nodes: PubsubNode[] = []
  let raw: Libp2p | undefined
  afterEach(async () => {
    await stopAll(nodes)
    await raw?.stop()
  })

  it('publish() waits publishQueueTtl for it, then reports it slow and leaves it out; alone it rejects SendQueueFull, leaving no trace', async () => {
    const opts: GossipsubOpts = { globalSignaturePolicy: StrictNoSign, publishQueueTtl: 300, maxOutboundQueueLength: 16 }
    const [a, b] = nodes = await createNet('tcp', 2, opts)
    a.services.pubsub.subscribe('t')
    b.services.pubsub.subscribe('t')
    await connect(a, b)
    raw = await createNode('tcp', {})
    await raw.handle('/meshsub/1.1.0', (stream: Stream) => {
      // never read: flow control stops the sender once the windows are full
      stream.pause()
      stream.maxReadBufferLength = 256 * 1024 * 1024
    })
    const stuck = raw.peerId
    const out = await raw.dialProtocol(a.getMultiaddrs()[0], '/meshsub/1.1.0')
    out.send(encodeFrame(encodeRpc({ subscriptions: [{ subscribe: true, topic: 't' }], messages: [] })))
    await waitFor(() => a.services.pubsub.getSubscribers('t').length === 2)
    const slow: boolean[] = []
    a.services.pubsub.addEventListener('gossipsub:slow-peer', (e) => { if (e.detail.peerId.equals(stuck)) { slow.push(e.detail.slow) } })
    const got = collect(b)
    let sent = 0
    let withoutStuck = 0
    while (withoutStuck < 5) {
      const data = new Uint8Array(64 * 1024)
      new DataView(data.buffer).setUint32(0, sent++)
      const res = await a.services.pubsub.publish('t', data)
      expect(res.recipients.some(p => p.equals(b.peerId))).to.equal(true)
      if (!res.recipients.some(p => p.equals(stuck))) { withoutStuck++ }
      expect(sent).to.be.below(5000)
    }
    expect(slow).to.deep.equal([true])
    const stats = a.services.pubsub.getSendQueueStats(stuck)
    expect(stats?.length).to.be.at.most(16)
    expect(stats?.drops.overflow).to.equal(withoutStuck)
    await waitFor(() => got.length === sent)
    // the healthy peer gone, the stuck one is the only recipient: nothing can go out
    await b.stop()
    await waitFor(() => a.services.pubsub.getSubscribers('t').length === 1)
    const last = enc('last')
    const err = await a.services.pubsub.publish('t', last).catch(e => e)
    expect(err).to.be.instanceOf(PublishError).with.property('message', 'PublishError.SendQueueFull')
    // no trace: not a duplicate
    expect(await a.services.pubsub.publish('t', last).catch(e => e)).to.have.property('message', 'PublishError.SendQueueFull')
    // once a healthy peer is back, the same data goes out
    await raw.stop()
    raw = undefined
    await waitFor(() => a.services.pubsub.getSubscribers('t').length === 0)
    const c = await createPubsubNode('tcp', opts)
    nodes.push(c)
    c.services.pubsub.subscribe('t')
    const gotC = collect(c)
    await connect(a, c)
    await waitFor(() => a.services.pubsub.getSubscribers('t').length === 1)
    expect((await a.services.pubsub.publish('t', last)).recipients.map(String)).to.deep.equal([c.peerId.toString()])
    await waitFor(() => gotC.length === 1)
  })
})
