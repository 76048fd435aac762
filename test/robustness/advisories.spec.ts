import { expect } from 'aegir/chai'
import { decodeRpc, encodeRpc } from '../../src/codec/index.ts'
import { validateRouterConfig } from '../../src/config.ts'
import { Harness, outputsOf } from '../core/harness.ts'
import { adapterMessage } from '../fuzz/frame-campaign.ts'
import { UINT64_MAX, ld, pruneMaxBackoffFrame, tag, varint, vfield } from '../fuzz/wire.ts'
import type { InRpc } from '../../src/core/types.ts'
import type { Rpc } from '../../src/types.ts'

const enc = new TextEncoder()

/** Frame bytes → decoded → the router, the way the adapter feeds it. */
function feedFrame (h: Harness, peer: string, body: Uint8Array): ReturnType<typeof decodeRpc> {
  const d = decodeRpc(body)
  const rpc: InRpc = { subscriptions: d.rpc.subscriptions, messages: d.rpc.messages.map(adapterMessage), control: d.rpc.control, testExtension: d.rpc.testExtension }
  h.router.handleRpc(peer, rpc, h.now)
  h.take()
  return d
}

const frame = (rpc: Partial<Rpc>): Uint8Array => encodeRpc({ subscriptions: [], messages: [], ...rpc })

describe('robustness/published GossipSub advisories', () => {
  describe('PRUNE backoff overflow (rust-libp2p GHSA-gc42-3jg7-rxr2, GHSA-xqmp-fxgv-xvq5)', () => {
    for (const [name, bytes] of [
      ['2^64 − 1', varint(UINT64_MAX)],
      ['2^63', varint(1n << 63n)],
      ['2^53 + 1', varint((1n << 53n) + 1n)],
      ['2^32', varint(1n << 32n)]
    ] as const) {
      it(`a PRUNE asking for ${name} seconds is clamped to maxRemoteBackoff, expires, and the peer can be grafted again`, () => {
        const h = new Harness({ D: 2, Dlo: 1, Dhi: 3, Dout: 0, Dscore: 1 })
        h.router.subscribe('t', h.now)
        h.connect('p', ['t'], { outbound: true })
        expect(h.router.getMeshPeers('t')).to.deep.equal(['p'])
        const prune = new Uint8Array(ld(3, ld(4, [...ld(1, enc.encode('t')), ...tag(3, 0), ...bytes])))
        feedFrame(h, 'p', prune)
        const max = validateRouterConfig({}).maxRemoteBackoff
        expect(h.router.getMeshPeers('t')).to.deep.equal([])
        expect(h.router.backoffExpiry('t', 'p')).to.equal(h.now + max)
        // a GRAFT inside that backoff is refused; heartbeats keep running with the huge value stored
        feedFrame(h, 'p', frame({ control: { ihave: [], iwant: [], graft: [{ topic: 't' }], prune: [], idontwant: [] } }))
        h.heartbeats(3)
        expect(h.router.getMeshPeers('t')).to.deep.equal([])
        h.advance(max + 3000)
        expect(h.router.backoffExpiry('t', 'p')).to.equal(undefined)
        expect(h.router.getMeshPeers('t')).to.deep.equal(['p'])
      })
    }

    it('the same PRUNE repeated in one frame and across frames keeps one clamped entry', () => {
      const h = new Harness()
      h.router.subscribe('t', h.now)
      h.connect('p', ['t'])
      const body = new Uint8Array([...pruneMaxBackoffFrame('t'), ...pruneMaxBackoffFrame('t'), ...pruneMaxBackoffFrame('t')])
      for (let i = 0; i < 10; i++) { feedFrame(h, 'p', body) }
      expect(h.router.sizes().backoff).to.equal(1)
      expect(h.router.backoffExpiry('t', 'p')).to.equal(h.now + validateRouterConfig({}).maxRemoteBackoff)
    })
  })

  describe('unbounded remote subscriptions (2026, go, js, py, cpp)', () => {
    it('100,000 distinct SUBSCRIBEs over 25 frames leave at most maxPeerTopics topics for the peer', () => {
      const h = new Harness({ maxPeerTopics: 1024 })
      h.connect('p')
      let skipped = 0
      for (let f = 0; f < 25; f++) {
        const subscriptions = Array.from({ length: 4000 }, (_, i) => ({ subscribe: true, topic: `spam-${f}-${i}` }))
        skipped += feedFrame(h, 'p', frame({ subscriptions })).skipped.subscriptions
      }
      const z = h.router.stats()
      expect(skipped).to.equal(0)
      expect(z.maxPeerTopics).to.equal(1024)
      expect(z.knownTopics).to.equal(1024)
      expect(z.subscriptionsOverLimit).to.equal(100_000 - 1024)
    })

    it('topic-name bytes per peer are bounded by maxPeerTopicBytes (few, huge names)', () => {
      const h = new Harness({ maxPeerTopicBytes: 1024 * 1024 })
      h.connect('p')
      for (let i = 0; i < 8; i++) {
        feedFrame(h, 'p', frame({ subscriptions: [{ subscribe: true, topic: String(i).repeat(400_000) }] }))
      }
      // two 400 KB names fit in 1 MiB, the third does not
      expect(h.router.sizes().maxPeerTopics).to.equal(2)
    })

    it('a single frame with more than 5000 SUBSCRIBEs is cut at the decode cap, the excess counted', () => {
      const h = new Harness({ maxPeerTopics: 10_000 })
      h.connect('p')
      const subscriptions = Array.from({ length: 7000 }, (_, i) => ({ subscribe: true, topic: `t${i}` }))
      const d = feedFrame(h, 'p', frame({ subscriptions }))
      expect(d.rpc.subscriptions).to.have.length(5000)
      expect(d.skipped.subscriptions).to.equal(2000)
      expect(h.router.sizes().maxPeerTopics).to.equal(5000)
    })
  })

  describe('control-message decode limits not enforced (js-libp2p-gossipsub)', () => {
    it('IHAVE/IWANT/GRAFT/PRUNE/IDONTWANT entries and ids are capped while decoding, the excess counted, and the router stays within its own caps', () => {
      const h = new Harness({ maxIHaveLength: 5000 })
      h.router.subscribe('t', h.now)
      h.connect('p', ['t'])
      const id = (i: number): Uint8Array => enc.encode(`bogus-${i}`)
      const body = frame({
        control: {
          ihave: [{ topic: 't', messageIds: Array.from({ length: 7000 }, (_, i) => id(i)) }],
          iwant: Array.from({ length: 5500 }, (_, i) => ({ messageIds: [id(i)] })),
          graft: Array.from({ length: 6000 }, () => ({ topic: 'zz' })),
          prune: [{ topic: 'zz', peers: Array.from({ length: 200 }, (_, i) => ({ peerId: enc.encode(`px${i}`) })) }],
          idontwant: [{ messageIds: Array.from({ length: 2000 }, (_, i) => id(i)) }]
        }
      })
      const d = feedFrame(h, 'p', body)
      const c = d.rpc.control!
      expect(c.ihave[0].messageIds).to.have.length(5000)
      expect(c.iwant).to.have.length(5000)
      expect(c.graft).to.have.length(5000)
      expect(c.prune[0].peers).to.have.length(16)
      expect(c.idontwant[0].messageIds).to.have.length(512)
      expect(d.skipped).to.include({ ihaveIds: 2000, iwant: 500, graft: 1000, peers: 184, idontwantIds: 1488 })
      const z = h.router.stats()
      expect(z.iwantAsked).to.be.at.most(5000)
      expect(z.promises).to.equal(1)
      expect(z.maxIdontwantPerPeer).to.equal(10)
    })

    it('a frame past the hard caps (262,145 entries) is refused as a whole', () => {
      const body = new Uint8Array(262_145 * 2)
      for (let i = 0; i < 262_145; i++) { body[2 * i] = 0x0a }
      expect(() => decodeRpc(body)).to.throw().with.property('limit', 'hardMaxEntries')
    })
  })

  describe('unbounded signed peer records (go-libp2p-pubsub)', () => {
    it('PX floods with large signed records yield at most maxPendingDials dials, prunePeers per PRUNE, nothing kept per record', () => {
      const h = new Harness({ doPX: true, maxPendingDials: 128, prunePeers: 16, scoreThresholds: { acceptPXThreshold: 0 } })
      h.router.subscribe('t', h.now)
      let dials = 0
      let skipped = 0
      for (let round = 0; round < 100; round++) {
        const p = `attacker${round % 5}`
        h.connect(p, ['t'])
        const peers = Array.from({ length: 40 }, (_, i) => ({ peerId: enc.encode(`px-${round}-${i}`), signedPeerRecord: new Uint8Array(1024).fill(round) }))
        const body = new Uint8Array([...frame({ control: { ihave: [], iwant: [], graft: [], prune: [], idontwant: [] } }), ...ld(3, ld(4, [...ld(1, enc.encode('t')), ...vfield(3, 1), ...peers.flatMap(x => ld(2, [...ld(1, x.peerId), ...ld(2, x.signedPeerRecord)]))]))])
        // the peer must be in our mesh for its PRUNE to count
        h.router.handleRpc(p, { subscriptions: [], messages: [], control: { ihave: [], iwant: [], graft: [{ topic: 't' }], prune: [], idontwant: [] } }, h.now)
        h.take()
        const d = decodeRpc(body)
        skipped += d.skipped.peers
        h.router.handleRpc(p, { subscriptions: [], messages: [], control: d.rpc.control }, h.now)
        dials += outputsOf(h.take(), 'dial').length
        h.advance(2000)
      }
      const z = h.router.stats()
      expect(skipped).to.equal(100 * 24)
      expect(z.pendingDials).to.be.at.most(128)
      expect(dials).to.be.at.most(128 + Math.ceil(100 * 2000 / 30_000) * 128)
      expect(z.pxDialsDropped).to.be.greaterThan(0)
    })
  })
})
