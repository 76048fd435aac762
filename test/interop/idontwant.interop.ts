// IDONTWANT (/meshsub/1.2.0) across implementations, in a diamond where the order of events is forced:
//
//        A (meshsub, publisher)
//       /  \
//     M1    M2      meshsub; M1's validator takes 200 ms, M2's 1000 ms
//       \  /
//        B (js, go or rust)
//
// A large message x reaches M1 and M2 first. M2 announces IDONTWANT(x) to B at once (before
// validating); B gets x from M1 200 ms later and must not forward it to M2. B announces
// IDONTWANT(x) to M2, and M2, done validating at 1000 ms, must not forward x to B. A small message
// (no IDONTWANT) in the same diamond is the control: then B does forward it to M2.

import { expect } from 'aegir/chai'
import { TopicValidatorResult } from '../../src/index.ts'
import { eventually, hex, interopSuite, JsNode, meshed, OTHERS, ProcessNode, sleep, startNode } from './mixed.ts'
import type { MeshsubNode } from './mixed.ts'

const LARGE = 4096
const SMALL = 100

function payload (size: number, tag: string): Uint8Array {
  const b = new Uint8Array(size).fill(0x61)
  b.set(new TextEncoder().encode(tag))
  return b
}

function delayValidator (node: MeshsubNode, topic: string, ms: number): void {
  node.pubsub.topicValidators.set(topic, async () => {
    await sleep(ms)
    return TopicValidatorResult.Accept
  })
}

describe('interop: IDONTWANT (/meshsub/1.2.0)', function () {
  this.timeout(60_000)
  const { nodes, need } = interopSuite()

  for (const other of OTHERS) {
    it(`a large message is not sent to a peer that announced IDONTWANT for it (meshsub ↔ ${other})`, async function () {
      need(this, other)
      const topic = `idontwant-${other}`
      // 1 s heartbeats: IDONTWANT ids are kept for 3 heartbeats (go, meshsub), longer than M2's validation
      const common = { topics: [topic], heartbeatMs: 1000 }
      const a = await startNode('meshsub', common) as MeshsubNode
      const m1 = await startNode('meshsub', common) as MeshsubNode
      const m2 = await startNode('meshsub', common) as MeshsubNode
      nodes.push(a, m1, m2)
      delayValidator(m1, topic, 200)
      delayValidator(m2, topic, 1000)
      await a.dial(m1.addr)
      await a.dial(m2.addr)
      const b = await startNode(other, { ...common, traceRpc: true }, [m1.addr, m2.addr])
      nodes.push(b)
      await Promise.all([meshed(a, m1, topic), meshed(a, m2, topic), meshed(b, m1, topic), meshed(b, m2, topic)])

      const dupsFromB = (): number => m2.traces.filter(t => t.type === 'duplicate' && t.peer === b.peerId).length

      // control: a small message gets no IDONTWANT, so B forwards it to M2 (M2 sees a duplicate)
      await a.publish(topic, payload(SMALL, 'small'))
      await eventually(() => dupsFromB() === 1, 5000, `${other} forwards the small message to M2`)

      const x = payload(LARGE, 'large')
      const idontwantOut = m2.metrics.get('meshsub_control_total', 'idontwant_ids_out')
      await a.publish(topic, x)
      await eventually(() => b.received().length === 2, 5000, 'B delivers the large message')
      const got = b.received()[1]
      if (b.impl === 'js') {
        // js keeps the IDONTWANT ids it received per peer (by its string id) for a few heartbeats:
        // read them while x is fresh
        const seen = (b as JsNode).pubsub as unknown as { idontwants: Map<string, Map<string, number>> }
        const fromM2 = [...(seen.idontwants.get(m2.peerId)?.keys() ?? [])]
        expect(fromM2.map(s => hex(Buffer.from(s, 'base64'))), 'js recorded IDONTWANT(x) from meshsub').to.include(got.msgId)
      }
      const jsIn = (): string[] => b instanceof JsNode ? b.messagesIn.filter(r => r.from === m2.peerId).flatMap(r => r.ids) : []
      await eventually(() => m2.received().length === 2, 5000, 'M2 delivers the large message')
      await sleep(1000)
      expect(got.receivedFrom, 'B got x from M1 first').to.equal(m1.peerId)
      expect(m2.received()[1].receivedFrom).to.equal(a.peerId)
      // M2 announced IDONTWANT(x) (to B: its only mesh peer other than the source A)
      expect(m2.metrics.get('meshsub_control_total', 'idontwant_ids_out') - idontwantOut).to.equal(1)
      // ... and B honoured it: it never sent x to M2
      expect(dupsFromB(), `${other} sent x to M2 after M2's IDONTWANT`).to.equal(1)

      if (b instanceof JsNode) {
        // js's RPC intake: M2 never sent x to js after js's IDONTWANT (js sends one for data ≥ 512 B)
        expect(jsIn(), 'meshsub M2 sent x to js after its IDONTWANT').to.not.include(got.msgId)
        expect(b.messagesIn.filter(r => r.from === m1.peerId).flatMap(r => r.ids), 'js got x from M1').to.include(got.msgId)
      }
      if (b instanceof ProcessNode && b.impl === 'go') {
        const rpcs = (dir: string): Array<Record<string, any>> => b.peer.events.filter(e => e.event === 'rpc' && e.dir === dir && e.peer === m2.peerId) as Array<Record<string, any>>
        const idontwants = (dir: string): string[] => rpcs(dir).flatMap(r => (r.control?.idontwant ?? []) as Array<{ messageIDs: string[] }>).flatMap(e => e.messageIDs)
        const carried = (dir: string): string[] => rpcs(dir).flatMap(r => (r.messages ?? []) as string[])
        expect(idontwants('in'), 'meshsub M2 → go: IDONTWANT(x)').to.include(got.msgId)
        expect(carried('out'), 'go sent x to M2').to.not.include(got.msgId)
        // the other way round: go announced IDONTWANT(x) to M2 and M2 never sent x to go
        expect(idontwants('out'), 'go → meshsub M2: IDONTWANT(x)').to.include(got.msgId)
        expect(carried('in'), 'meshsub M2 sent x to go after its IDONTWANT').to.not.include(got.msgId)
        // the small one did travel go → M2 (the control, seen from go's side)
        expect(carried('out')).to.have.length(1)
      }
    })
  }
})
