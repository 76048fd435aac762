// Gossip across implementations: a message reaches a peer only through IHAVE → IWANT → message, in
// both directions (meshsub advertises and serves, or asks). Ids must agree for that to work: every
// node uses the spec's from ‖ seqno (StrictSign) or sha256(data) (StrictNoSign).
//
// The data-less link: a meshsub node G with all mesh degrees 0 (D = Dlo = Dhi = Dout = Dscore = 0)
// never grafts and refuses every inbound GRAFT (mesh ≥ Dhi, inbound connection), so no peer ever
// forwards data to it and it forwards to none; with floodPublish off it does not push its own
// messages either. Its only link to the other node carries control and gossip alone.

import { expect } from 'aegir/chai'
import { eventually, interopSuite, OTHERS, ProcessNode, sleep, startNode } from './mixed.ts'
import type { MeshsubNode, NodeOptions } from './mixed.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

const gossipOnly: NodeOptions = { D: 0, Dlo: 0, Dhi: 0, Dout: 0, Dscore: 0, floodPublish: false, meshsub: { allowPublishToZeroTopicPeers: true } }

/** go's own record of its RPCs with `peer` in direction `dir` (needs traceRpc). */
function goRpcs (x: ProcessNode, dir: 'in' | 'out', peer: string): Array<Record<string, any>> {
  return x.peer.events.filter(e => e.event === 'rpc' && e.dir === dir && e.peer === peer) as Array<Record<string, any>>
}
const ids = (rpcs: Array<Record<string, any>>, kind: 'ihave' | 'iwant'): string[] =>
  rpcs.flatMap(r => (r.control?.[kind] ?? []) as Array<{ messageIDs: string[] }>).flatMap(e => e.messageIDs)
const carried = (rpcs: Array<Record<string, any>>): string[] => rpcs.flatMap(r => (r.messages ?? []) as string[])

describe('interop: gossip (IHAVE/IWANT) recovers messages across implementations', function () {
  this.timeout(60_000)
  const { nodes, need } = interopSuite()

  for (const other of OTHERS) {
    for (const policy of ['StrictSign', 'StrictNoSign'] as const) {
      it(`meshsub advertises, ${other} asks (${policy})`, async function () {
        need(this, other)
        const topic = `gossip-a-${other}`
        const common = { topics: [topic], signaturePolicy: policy, heartbeatMs: 300, traceRpc: true }
        const g = await startNode('meshsub', { ...common, ...gossipOnly }) as MeshsubNode
        nodes.push(g)
        // the other side dials, so its GRAFT reaches G on an inbound connection and is refused
        const x = await startNode(other, common, [g.addr])
        nodes.push(x)
        await eventually(async () => (await g.topicPeers(topic)).includes(x.peerId) && (await x.topicPeers(topic)).includes(g.peerId), 10_000, 'both know the other subscribed')

        const payload = `gossip ${policy} meshsub→${other}`
        const res = await g.pubsub.publish(topic, enc(payload))
        expect(res.recipients, 'G pushed the message itself').to.deep.equal([])
        await eventually(() => x.received().some(r => dec(r.data) === payload), 10_000, `${other} receives the message through gossip`)
        const got = x.received().find(r => dec(r.data) === payload)
        expect(got?.receivedFrom).to.equal(g.peerId)
        expect(await g.mesh(topic)).to.deep.equal([])
        expect(g.metrics.get('meshsub_control_total', 'ihave_out')).to.be.greaterThan(0)
        expect(g.metrics.get('meshsub_control_total', 'iwant_ids_in')).to.be.greaterThan(0)
        if (x instanceof ProcessNode && x.impl === 'go' && got !== undefined) {
          expect(ids(goRpcs(x, 'in', g.peerId), 'ihave')).to.include(got.msgId)
          expect(ids(goRpcs(x, 'out', g.peerId), 'iwant')).to.include(got.msgId)
          expect(carried(goRpcs(x, 'in', g.peerId))).to.deep.equal([got.msgId])
        }
      })

      it(`${other} advertises, meshsub asks (${policy})`, async function () {
        need(this, other)
        const topic = `gossip-b-${other}`
        const common = { topics: [topic], signaturePolicy: policy, heartbeatMs: 300, traceRpc: true }
        const g = await startNode('meshsub', { ...common, ...gossipOnly }) as MeshsubNode
        nodes.push(g)
        const y = await startNode('meshsub', common)
        nodes.push(y)
        // X keeps one mesh peer (Y) and publishes to it only: js and rust top a publish up to D
        // from non-mesh peers, so D = 1 for them; go never tops up but insists on Dout < D/2, so D = 2
        const degrees = other === 'go' ? { D: 2, Dlo: 1, Dhi: 2 } : { D: 1, Dlo: 1, Dhi: 1 }
        const x = await startNode(other, { ...common, ...degrees, Dout: 0, Dscore: 1, floodPublish: false }, [g.addr, y.addr])
        nodes.push(x)
        await eventually(async () => {
          const mesh = await x.mesh(topic)
          return mesh.length === 1 && mesh[0] === y.peerId && (await g.topicPeers(topic)).includes(x.peerId)
        }, 15_000, `${other}'s mesh is exactly [Y] and G knows it subscribed`)

        const payload = `gossip ${policy} ${other}→meshsub`
        await x.publish(topic, enc(payload))
        await eventually(() => g.received().some(r => dec(r.data) === payload), 10_000, `meshsub receives the message through gossip from ${other}`)
        const got = g.received().find(r => dec(r.data) === payload)
        expect(got?.receivedFrom).to.equal(x.peerId)
        expect(await g.mesh(topic)).to.deep.equal([])
        expect(g.metrics.get('meshsub_control_total', 'ihave_in')).to.be.greaterThan(0)
        expect(g.metrics.get('meshsub_control_total', 'iwant_ids_out')).to.be.greaterThan(0)
        if (x instanceof ProcessNode && x.impl === 'go' && got !== undefined) {
          expect(ids(goRpcs(x, 'out', g.peerId), 'ihave')).to.include(got.msgId)
          expect(ids(goRpcs(x, 'in', g.peerId), 'iwant')).to.include(got.msgId)
          expect(carried(goRpcs(x, 'out', g.peerId))).to.deep.equal([got.msgId])
        }
        // Y had it from X's mesh push; G alone needed gossip
        await sleep(300)
        expect(y.received().filter(r => dec(r.data) === payload)).to.have.length(1)
      })
    }
  }
})
