import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { FloodsubID, GossipsubIDv10, GossipsubIDv11, GossipsubIDv12, GossipsubIDv13 } from '../../src/core/types.ts'
import { Harness, TestScore, makeMsg } from './harness.ts'
import type { PeerInfo } from '../../src/types.ts'

const enc = new TextEncoder()
const peerArb = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f')
const topicArb = fc.constantFrom('t', 'u', 'v', 'w')
const idArb = fc.integer({ min: 0, max: 40 }).map(n => enc.encode(`id-${n}`))
const pxArb: fc.Arbitrary<PeerInfo> = fc.record({ peerId: fc.option(fc.oneof(fc.uint8Array({ maxLength: 8 }), peerArb.map(p => enc.encode(p + 'x'))), { nil: undefined }) })

const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('connect' as const), peer: peerArb, protocol: fc.constantFrom(FloodsubID, GossipsubIDv10, GossipsubIDv11, GossipsubIDv12, GossipsubIDv13, '/bogus'), outbound: fc.boolean() }),
  fc.record({ kind: fc.constant('disconnect' as const), peer: peerArb }),
  fc.record({ kind: fc.constant('sub' as const), peer: peerArb, topic: topicArb, subscribe: fc.boolean() }),
  fc.record({ kind: fc.constant('msg' as const), peer: peerArb, topic: topicArb, n: fc.integer({ min: 0, max: 40 }), size: fc.constantFrom(1, 2000) }),
  fc.record({
    kind: fc.constant('control' as const),
    peer: peerArb,
    graft: fc.array(topicArb, { maxLength: 3 }),
    prune: fc.array(fc.record({ topic: topicArb, backoff: fc.option(fc.oneof(fc.nat(), fc.constant(2 ** 64), fc.constant(-1), fc.constant(Number.NaN)), { nil: undefined }), peers: fc.array(pxArb, { maxLength: 20 }) }), { maxLength: 2 }),
    ihave: fc.array(fc.record({ topic: topicArb, messageIds: fc.array(idArb, { maxLength: 10 }) }), { maxLength: 2 }),
    iwant: fc.array(fc.array(idArb, { maxLength: 10 }), { maxLength: 2 }),
    idontwant: fc.array(fc.array(idArb, { maxLength: 20 }), { maxLength: 2 }),
    ext: fc.boolean()
  }),
  fc.record({ kind: fc.constant('local' as const), topic: topicArb, subscribe: fc.boolean() }),
  fc.record({ kind: fc.constant('publish' as const), topic: topicArb, n: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('validate' as const), n: fc.integer({ min: 0, max: 40 }), result: fc.constantFrom('accept' as const, 'reject' as const, 'ignore' as const) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('score' as const), peer: peerArb, value: fc.constantFrom(-100, -20, -1, 0, 15) })
)

describe('core/fuzz: arbitrary input sequences', function () {
  this.timeout(60_000)

  it('never throw, and every bounded structure stays within its bound', () => {
    fc.assert(fc.property(fc.array(stepArb, { maxLength: 80 }), fc.integer(), (steps, seed) => {
      const score = new TestScore()
      const h = new Harness({ maxPeerTopics: 3, maxPendingDials: 5, maxPendingValidations: 10, idontwantMaxStored: 15, doPX: true, testExtension: true, scoreThresholds: { acceptPXThreshold: 0 } }, { seed, score })
      for (const s of steps) {
        switch (s.kind) {
          case 'connect': h.router.addPeer(s.peer, { protocol: s.protocol, outbound: s.outbound }, h.now); break
          case 'disconnect': h.router.removePeer(s.peer, h.now); break
          case 'sub': h.feed(s.peer, { subscriptions: [{ subscribe: s.subscribe, topic: s.topic }] }); break
          case 'msg': h.feed(s.peer, { messages: [makeMsg(s.topic, { n: s.n, size: s.size, from: s.peer })] }); break
          case 'control':
            h.feed(s.peer, {
              control: {
                graft: s.graft.map(topic => ({ topic })),
                prune: s.prune,
                ihave: s.ihave,
                iwant: s.iwant.map(messageIds => ({ messageIds })),
                idontwant: s.idontwant.map(messageIds => ({ messageIds })),
                extensions: s.ext ? { testExtension: true } : undefined
              }
            })
            break
          case 'local': if (s.subscribe) { h.router.subscribe(s.topic, h.now) } else { h.router.unsubscribe(s.topic, h.now) } break
          case 'publish': h.router.publish(makeMsg(s.topic, { n: s.n }), h.now); break
          case 'validate': h.router.reportValidation(makeMsg('t', { n: s.n }).idKey, s.result, h.now); break
          case 'time': h.advance(s.ms); break
          default: score.scores.set(s.peer, s.value)
        }
        h.take()
        const z = h.router.sizes()
        expect(z.peers).to.be.at.most(6)
        expect(z.maxPeerTopics).to.be.at.most(3)
        expect(z.pendingDials).to.be.at.most(5)
        expect(z.pendingValidations).to.be.at.most(10)
        expect(z.maxIdontwantPerPeer).to.be.at.most(15)
        expect(z.meshPeers).to.be.at.most(z.meshTopics * 6)
        expect(z.pendingOutputs).to.equal(0)
        for (const t of ['t', 'u', 'v', 'w']) {
          const mesh = h.router.getMeshPeers(t)
          // mesh peers are connected meshsub peers, never direct; a mesh exists only for our topics
          for (const p of mesh) { expect(h.router.peerProtocol(p)).to.match(/meshsub/) }
          if (mesh.length > 0) { expect(h.router.getTopics()).to.include(t) }
        }
      }
    }), { numRuns: 300 })
  })
})
