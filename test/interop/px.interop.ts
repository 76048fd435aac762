// Peer exchange from go: a go node with PX on leaves the topic and PRUNEs meshsub with a list of
// its other topic peers, each with the signed peer record go's certified address book holds (a go
// peer's and a @libp2p/gossipsub peer's, both sent by their identify). meshsub, which knew neither,
// opens records it can verify and connects to both.

import { peerIdFromString } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import { closeAll, eventually, meshed, startNode, unavailable } from './mixed.ts'
import type { AnyNode, MeshsubNode, ProcessNode } from './mixed.ts'

describe('interop: PX (peer exchange) from go', function () {
  this.timeout(60_000)
  const nodes: AnyNode[] = []
  afterEach(async () => { await closeAll(nodes.splice(0)) })

  it('a PRUNE with PX (signed peer records) from go makes meshsub connect to new peers', async function () {
    this.timeout(20 * 60_000)
    const why = (await unavailable()).get('go')
    if (why !== undefined) {
      process.stderr.write(why + '\n')
      this.skip()
    }
    this.timeout(60_000)
    const topic = 'px'
    const common = { topics: [topic], heartbeatMs: 300 }
    const g = await startNode('go', { ...common, doPX: true, traceRpc: true }) as ProcessNode
    nodes.push(g)
    const p1 = await startNode('go', common, [g.addr])
    const p2 = await startNode('js', common, [g.addr])
    nodes.push(p1, p2)
    const m = await startNode('meshsub', common, [g.addr]) as MeshsubNode
    nodes.push(m)
    await meshed(m, g, topic)
    await eventually(async () => {
      const known = await g.topicPeers(topic)
      return known.includes(p1.peerId) && known.includes(p2.peerId)
    }, 10_000, 'go knows both future PX peers are subscribed')
    const connected = (id: string): boolean => m.node.getConnections(peerIdFromString(id)).length > 0
    expect(connected(p1.peerId) || connected(p2.peerId), 'meshsub connected to a PX peer beforehand').to.equal(false)

    await g.unsubscribe(topic)
    await eventually(() => connected(p1.peerId) && connected(p2.peerId), 10_000, 'meshsub connects to both PX peers')

    // what go sent: a PRUNE carrying both peers, each with a signed record
    const prunes = g.peer.events
      .filter(e => e.event === 'rpc' && e.dir === 'out' && e.peer === m.peerId)
      .flatMap(e => ((e.control as Record<string, any> | undefined)?.prune ?? []) as Array<{ peers?: Array<{ peerID: string, signedPeerRecord?: string }> }>)
    const px = prunes.flatMap(p => p.peers ?? [])
    const hexId = (id: string): string => Buffer.from(peerIdFromString(id).toMultihash().bytes).toString('hex')
    expect(px.map(p => p.peerID)).to.include.members([hexId(p1.peerId), hexId(p2.peerId)])
    expect(px.every(p => typeof p.signedPeerRecord === 'string' && p.signedPeerRecord.length > 0), 'every PX entry has a signed record').to.equal(true)
    // and the new connections carry pubsub: meshsub learns their subscriptions
    await eventually(async () => {
      const known = await m.topicPeers(topic)
      return known.includes(p1.peerId) && known.includes(p2.peerId)
    }, 10_000, 'meshsub sees the PX peers subscribed')
  })
})
