import { expect } from 'aegir/chai'
import { GossipSub } from '../../src/index.ts'
import { collect, connect, createNet, createPubsubNode, stopAll } from './net.ts'
import { createNode, waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { GossipSubComponents, GossipsubOpts } from '../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

/** A subclass with the constructor shape of `@libp2p/gossipsub`'s class, as apps write them. */
class AppGossip extends GossipSub {
  readonly seen: string[] = []
  constructor (components: GossipSubComponents, init: GossipsubOpts) {
    super(components, { ...init, heartbeatInterval: 200, heartbeatInitialDelay: 50 })
    this.addEventListener('message', (e) => { this.seen.push(e.detail.topic) })
  }

  meshSize (topic: string): number { return this.mesh.get(topic)?.size ?? 0 }
}

describe('gossipsub service: the state apps read (@libp2p/gossipsub shapes, read-only)', function () {
  this.timeout(30_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('mesh, fanout, topics, peers, direct and score read live and in the reference shapes', async () => {
    nodes = await createNet('memory', 3, { floodPublish: false })
    const [a, b, c] = nodes
    const ps = a.services.pubsub
    expect(ps.mesh.size).to.equal(0)
    ps.subscribe('t')
    b.services.pubsub.subscribe('t')
    c.services.pubsub.subscribe('other')
    await connect(a, b)
    await connect(a, c)
    await ps.waitForMesh('t')
    await waitFor(() => ps.topics.get('other')?.size === 1)
    const B = b.peerId.toString()
    const C = c.peerId.toString()

    expect(ps.mesh).to.be.an.instanceOf(Object)
    expect([...ps.mesh.keys()]).to.deep.equal(['t'])
    expect([...(ps.mesh.get('t') ?? [])]).to.deep.equal([B])
    expect(ps.mesh.get('t')?.has(B)).to.equal(true)
    expect(ps.mesh.has('nope')).to.equal(false)
    expect([...ps.topics.get('t') ?? []]).to.deep.equal([B])
    expect([...ps.topics.get('other') ?? []]).to.deep.equal([C])
    expect([...ps.peers.keys()].sort()).to.deep.equal([B, C].sort())
    expect(ps.peers.get(B)?.equals(b.peerId)).to.equal(true)
    expect(ps.direct.size).to.equal(0)
    expect(ps.score.score(B)).to.be.a('number')
    expect(ps.score.score(B)).to.equal(ps.getScore(B))
    expect(ps.score.params.decayInterval).to.be.a('number')

    // the view is live: publishing (not flooding) to a topic we did not join opens a fanout of it
    await ps.publish('other', new Uint8Array([1]))
    expect([...ps.fanout.get('other') ?? []]).to.deep.equal([C])

    const dump = ps.dumpPeerScoreStats()
    expect(Object.keys(dump).sort()).to.deep.equal([B, C].sort())
    expect(dump[B].connected).to.equal(true)
    expect(dump[B].topics.t.inMesh).to.equal(true)
    expect(dump[B].topics.t.graftTime).to.be.within(Date.now() - 30_000, Date.now())
    expect(dump[B].knownIPs).to.be.an.instanceOf(Set)
    expect(dump[B].behaviourPenalty).to.equal(0)
    expect(ps.score.dumpPeerScoreStats()).to.deep.equal(ps.dumpPeerScoreStats())
  })

  it('dumped times stay put from one read to the next (one fixed mapping of the router clock to Date.now())', async () => {
    nodes = await createNet('memory', 2)
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('t') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('t')
    const B = b.peerId.toString()
    const first = a.services.pubsub.dumpPeerScoreStats()[B].topics.t.graftTime
    // reads spread over ≥ 30 ms, across many millisecond boundaries of both clocks
    const seen = new Set<number>([first])
    for (const until = performance.now() + 30; performance.now() < until;) {
      seen.add(a.services.pubsub.dumpPeerScoreStats()[B].topics.t.graftTime)
    }
    expect([...seen]).to.deep.equal([first])
  })

  it('direct lists the configured direct peers, and peers the connected ones', async () => {
    const b = await createPubsubNode('memory')
    const a = await createPubsubNode('memory', { directPeers: [{ id: b.peerId, addrs: b.getMultiaddrs() }] })
    nodes = [a, b]
    const B = b.peerId.toString()
    expect([...a.services.pubsub.direct]).to.deep.equal([B])
    expect(a.services.pubsub.direct.has(B)).to.equal(true)
    // a dials its direct peer itself
    await waitFor(() => a.services.pubsub.peers.has(B))
    expect(a.services.pubsub.peers.get(B)?.equals(b.peerId)).to.equal(true)
    expect(b.services.pubsub.direct.size).to.equal(0)
  })

  it('mutating a view throws and leaves the router as it was', async () => {
    nodes = await createNet('memory', 2)
    const [a, b] = nodes
    const ps = a.services.pubsub
    for (const n of nodes) { n.services.pubsub.subscribe('t') }
    await connect(a, b)
    await ps.waitForMesh('t')
    const B = b.peerId.toString()
    const attempts: Array<() => unknown> = [
      () => ps.mesh.set('t', new Set()),
      () => ps.mesh.delete('t'),
      () => { ps.mesh.clear() },
      () => ps.mesh.get('t')?.add('x'),
      () => ps.mesh.get('t')?.delete(B),
      () => { ps.mesh.get('t')?.clear() },
      () => ps.topics.get('t')?.delete(B),
      () => ps.peers.delete(B),
      () => ps.peers.set('x', b.peerId),
      () => ps.direct.add(B),
      () => ps.fanout.set('f', new Set([B]))
    ]
    for (const attempt of attempts) { expect(attempt).to.throw(TypeError, /read-only/) }
    expect(() => { (ps.score as any).score = () => 1e9 }).to.throw(TypeError)
    expect(ps.getMeshPeers('t')).to.deep.equal([B])
    expect(ps.getSubscribers('t').map(String)).to.deep.equal([B])
    expect(ps.getPeers().map(String)).to.deep.equal([B])
    expect(ps.fanout.size).to.equal(0)
    // and the router still works
    const got = collect(b)
    await ps.publish('t', new Uint8Array([7]))
    await waitFor(() => got.length === 1)
  })

  it('tags mesh peers in the peerStore under the topic name, value 100, and untags them on leave', async () => {
    nodes = await createNet('memory', 2)
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('blocks') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('blocks')
    const tagOf = async (): Promise<number | undefined> => (await a.peerStore.get(b.peerId)).tags.get('blocks')?.value
    const deadline = Date.now() + 10_000
    while (await tagOf() !== 100 && Date.now() < deadline) { await new Promise(resolve => setTimeout(resolve, 20)) }
    expect(await tagOf()).to.equal(100)
    a.services.pubsub.unsubscribe('blocks')
    while (await tagOf() !== undefined && Date.now() < deadline) { await new Promise(resolve => setTimeout(resolve, 20)) }
    expect(await tagOf()).to.equal(undefined)
  })

  it('a subclass with the (components, init) constructor runs as the libp2p service', async () => {
    const a = await createNode('memory', { pubsub: (components: GossipSubComponents) => new AppGossip(components, {}) }) as unknown as Libp2p<{ pubsub: AppGossip }>
    const b = await createPubsubNode('memory')
    nodes = [a as unknown as PubsubNode, b]
    a.services.pubsub.subscribe('s')
    b.services.pubsub.subscribe('s')
    await a.dial(b.getMultiaddrs()[0])
    await a.services.pubsub.waitForMesh('s')
    expect(a.services.pubsub.meshSize('s')).to.equal(1)
    await b.services.pubsub.waitForMesh('s')
    await b.services.pubsub.publish('s', new Uint8Array([1]))
    await waitFor(() => a.services.pubsub.seen.length === 1)
    expect(a.services.pubsub.seen).to.deep.equal(['s'])
    expect(a.services.pubsub.started).to.equal(true)
  })
})
