// Two nodes, meshsub and one other implementation (@libp2p/gossipsub 17, go-libp2p-pubsub, rust-libp2p),
// either side dialling, StrictSign (from ‖ seqno ids) and StrictNoSign (sha256 content ids): every
// message each side publishes is delivered exactly once at the other, with the id both agree on.

import { createHash } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import { eventually, hex, interopSuite, meshed, OTHERS, sleep, startNode } from './mixed.ts'
import type { Received } from './mixed.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)
const COUNT = 5

/** The id a received message must have: from ‖ seqno when signed, else sha256(data). */
function expectedId (m: Received): string {
  if (m.from === undefined) { return createHash('sha256').update(m.data).digest('hex') }
  return hex(peerIdFromString(m.from).toMultihash().bytes) + (m.seqno ?? '')
}

describe('interop: two nodes, both directions', function () {
  this.timeout(60_000)
  const { nodes, need } = interopSuite()

  for (const other of OTHERS) {
    for (const policy of ['StrictSign', 'StrictNoSign'] as const) {
      for (const dialer of ['meshsub', other] as const) {
        it(`meshsub ↔ ${other}, ${policy}, ${dialer} dials: each message delivered once`, async function () {
          need(this, other)
          const topic = `two-${other}-${policy}`
          const opts = { topics: [topic], signaturePolicy: policy, heartbeatMs: 200 }
          const m = await startNode('meshsub', opts)
          nodes.push(m)
          const x = await startNode(other, opts, dialer === other ? [m.addr] : [])
          nodes.push(x)
          if (dialer === 'meshsub') { await m.dial(x.addr) }
          await meshed(m, x, topic)

          for (let i = 0; i < COUNT; i++) {
            await m.publish(topic, enc(`meshsub→${other} ${i}`))
            await x.publish(topic, enc(`${other}→meshsub ${i}`))
          }
          await eventually(() => m.received().length >= COUNT && x.received().length >= COUNT, 10_000,
            `${COUNT} messages each way (meshsub got ${m.received().length}, ${other} got ${x.received().length})`)
          // a few heartbeats more: a duplicate or an echo of one's own message would show up by now
          await sleep(1000)

          for (const [to, from] of [[m, x], [x, m]] as const) {
            const got = to.received()
            expect(got.map(r => dec(r.data)).sort()).to.deep.equal(
              Array.from({ length: COUNT }, (_, i) => `${from === m ? 'meshsub' : other}→${from === m ? other : 'meshsub'} ${i}`).sort())
            for (const r of got) {
              expect(r.receivedFrom).to.equal(from.peerId)
              expect(r.topic).to.equal(topic)
              if (policy === 'StrictSign') {
                expect(r.from).to.equal(from.peerId)
              } else {
                expect(r.from).to.equal(undefined)
              }
              // go and rust report the id they computed themselves; it must be the shared one
              if (to.impl === 'go' || to.impl === 'rust') { expect(r.msgId).to.equal(expectedId(r)) }
            }
            expect(new Set(got.map(r => r.msgId)).size).to.equal(COUNT)
          }
        })
      }
    }
  }
})
