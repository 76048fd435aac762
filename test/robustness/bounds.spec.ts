import { readFileSync } from 'node:fs'
import { expect } from 'aegir/chai'
import { validateRouterConfig } from '../../src/config.ts'
import { Harness, makeMsg } from '../core/harness.ts'
import { stateBounds } from '../fuzz/bounds.ts'
import type { RouterOptions } from '../../src/config.ts'
import type { Router } from '../../src/core/router.ts'

const enc = new TextEncoder()
const id = (s: string): Uint8Array => enc.encode(s)

/** stats() against every formula of docs/bounds.md for a harness with `peers` connected. */
function within (h: Harness, opts: RouterOptions, ctx: { peersEver: number, topicsJoinedEver: number }): ReturnType<Router['stats']> {
  const z = h.router.stats()
  const b = stateBounds(validateRouterConfig(opts), { peers: z.peers, peerSessionsInPromiseWindow: ctx.peersEver, myTopics: z.myTopics, fanoutTopics: z.fanoutTopics, ...ctx })
  for (const [k, bound] of Object.entries(b)) {
    expect((z as unknown as Record<string, number>)[k], k).to.be.at.most(bound)
  }
  return z
}

describe('robustness/bounds: live counters against docs/bounds.md', () => {
  it('every stats() key named in the table exists, and every bounded stats() key is in the table', () => {
    const doc = readFileSync(new URL('../../docs/bounds.md', import.meta.url), 'utf8')
    const named = [...doc.matchAll(/^\|[^|]+\| `([a-zA-Z]+)`(?:, `([a-zA-Z]+)`)? \|/gm)].flatMap(m => [m[1], m[2]]).filter((k): k is string => k !== undefined)
    const stats = new Harness().router.stats() as unknown as Record<string, number>
    for (const k of named) { expect(stats, k).to.have.property(k) }
    const bounded = Object.keys(stateBounds(validateRouterConfig({}), { peers: 1, peerSessionsInPromiseWindow: 1, peersEver: 1, topicsJoinedEver: 1, myTopics: 1, fanoutTopics: 1 }))
    for (const k of bounded) { expect(named, k).to.include(k) }
  })

  it('remote topics: a subscription flood fills exactly maxPeerTopics per peer and no more', () => {
    const opts = { maxPeerTopics: 50 }
    const h = new Harness(opts)
    for (let p = 0; p < 4; p++) {
      h.connect(`p${p}`)
      h.feed(`p${p}`, { subscriptions: Array.from({ length: 500 }, (_, i) => ({ subscribe: true, topic: `x${p}-${i}` })) })
    }
    const z = within(h, opts, { peersEver: 4, topicsJoinedEver: 0 })
    expect(z.maxPeerTopics).to.equal(50)
    expect(z.peerTopics).to.equal(200)
    expect(z.knownTopics).to.equal(200)
  })

  it('IDONTWANT: per-peer ids reach min(idontwantMaxStored, …) and age out after the retention', () => {
    const opts = { idontwantMaxStored: 40, idontwantMaxIds: 10, idontwantMaxMessages: 100 }
    const h = new Harness(opts)
    h.connect('p')
    for (let r = 0; r < 20; r++) {
      h.feed('p', { control: { idontwant: [{ messageIds: Array.from({ length: 30 }, (_, i) => id(`${r}-${i}`)) }] } })
    }
    let z = within(h, opts, { peersEver: 1, topicsJoinedEver: 0 })
    expect(z.maxIdontwantPerPeer).to.equal(40)
    h.heartbeats(5)
    z = within(h, opts, { peersEver: 1, topicsJoinedEver: 0 })
    expect(z.idontwant).to.equal(0)
  })

  it('IHAVE/IWANT: asked ids per heartbeat reach maxIHaveLength and promises stay within their formula', () => {
    const opts = { maxIHaveLength: 30, maxIHaveMessages: 4 }
    const h = new Harness(opts)
    h.router.subscribe('t', h.now)
    for (let p = 0; p < 3; p++) { h.connect(`p${p}`, ['t']) }
    let maxPromises = 0
    for (let hb = 0; hb < 8; hb++) {
      for (let r = 0; r < 10; r++) {
        for (let p = 0; p < 3; p++) {
          h.feed(`p${p}`, { control: { ihave: [{ topic: 't', messageIds: Array.from({ length: 12 }, (_, i) => id(`${hb}-${r}-${p}-${i}`)) }] } })
        }
      }
      const z = within(h, opts, { peersEver: 3, topicsJoinedEver: 1 })
      expect(z.iwantAsked).to.equal(3 * 30)
      maxPromises = Math.max(maxPromises, z.promises)
      h.heartbeats(1)
    }
    expect(maxPromises).to.be.greaterThan(0)
    expect(h.router.stats().ihaveThrottled).to.be.greaterThan(0)
  })

  it('seen, mcache, pending validations and pending dials reach their bounds and hold them', () => {
    const opts: RouterOptions = { seenMaxEntries: 100, mcacheMaxMessages: 20, maxPendingValidations: 15, maxPendingDials: 5, doPX: true, scoreThresholds: { acceptPXThreshold: 0 } }
    const h = new Harness(opts)
    h.router.subscribe('t', h.now)
    h.connect('p', ['t'])
    for (let i = 0; i < 300; i++) {
      const m = makeMsg('t')
      h.feed('p', { messages: [m] })
      // answer all but the last 15
      if (i < 285) {
        h.router.reportValidation(m.idKey, 'accept', h.now)
        h.take()
      }
    }
    for (let i = 0; i < 10; i++) {
      h.feed('p', { control: { graft: [{ topic: 't' }] } })
      h.feed('p', { control: { prune: [{ topic: 't', peers: Array.from({ length: 16 }, (_, j) => ({ peerId: id(`px${i}-${j}`) })) }] } })
    }
    const z = within(h, opts, { peersEver: 1, topicsJoinedEver: 1 })
    expect(z.seen).to.equal(100)
    expect(z.mcache).to.equal(20)
    expect(z.pendingValidations).to.equal(15)
    expect(z.pendingDials).to.equal(5)
    expect(z.seenEvicted).to.be.greaterThan(0)
    expect(z.pxDialsDropped).to.be.greaterThan(0)
  })

  it('backoff: entries of a clamped remote PRUNE are swept after maxRemoteBackoff + slack', () => {
    const opts = { maxRemoteBackoff: 5000 }
    const h = new Harness(opts)
    h.router.subscribe('t', h.now)
    for (let p = 0; p < 6; p++) {
      h.connect(`p${p}`, ['t'])
      h.feed(`p${p}`, { control: { prune: [{ topic: 't', peers: [], backoff: 2 ** 64 }] } })
    }
    expect(within(h, opts, { peersEver: 6, topicsJoinedEver: 1 }).backoff).to.equal(6)
    h.advance(5000 + 2 * validateRouterConfig(opts).heartbeatInterval)
    expect(h.router.stats().backoff).to.equal(0)
  })

  it('mesh: a GRAFT flood from inbound peers never takes the mesh past Dhi', () => {
    const opts = { Dhi: 8 }
    const h = new Harness(opts)
    h.router.subscribe('t', h.now)
    for (let p = 0; p < 30; p++) {
      h.connect(`p${p}`, ['t'])
      h.feed(`p${p}`, { control: { graft: [{ topic: 't' }] } })
    }
    const z = within(h, opts, { peersEver: 30, topicsJoinedEver: 1 })
    expect(z.meshPeers).to.equal(8)
  })
})
