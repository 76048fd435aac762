import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { CodecError, decodeRpc, encodeRpc } from '../../src/codec/index.ts'
import { FrameTarget, loadFixtures, replayFixture, runFrameCampaign, saveFailures } from './frame-campaign.ts'
import { rpcArb } from './wire.ts'

describe('fuzz/frames: framing → codec → router', function () {
  this.timeout(120_000)

  it('100,000 valid, structure-aware and mutated frames: only CodecError, no invariant broken, bounded time per frame', () => {
    const r = runFrameCampaign({ frames: 100_000, seed: 0x5eed })
    if (r.failures.length > 0) {
      const saved = saveFailures(r.failures, `npm-test-${Date.now()}`)
      expect.fail(`${r.failures.length} failing inputs saved as ${saved.join(', ')}: ${r.failures[0].error}`)
    }
    // eslint-disable-next-line no-console
    console.log(`      frames ${r.frames}, bodies decoded ${r.decoded}/${r.bodies}, codec errors ${JSON.stringify(r.codecErrors)}, heartbeats ${r.heartbeats}, deliveries ${r.deliveries}, max per frame ${r.maxFrameMs.toFixed(1)} ms, max heartbeat ${r.maxHeartbeatMs.toFixed(1)} ms, ${(r.wallMs / 1000).toFixed(1)} s`)
    expect(r.violations).to.deep.equal([])
    expect(r.maxFrameMs).to.be.below(1000)
    // the campaign reaches the router, not just the decoder
    expect(r.decoded).to.be.greaterThan(30_000)
    expect(r.deliveries).to.be.greaterThan(1000)
    expect(r.heartbeats).to.be.greaterThan(1000)
    for (const k of ['ERR_MALFORMED:wireType', 'ERR_MALFORMED:varint', 'ERR_MALFORMED:length', 'ERR_MALFORMED:truncated', 'ERR_LIMIT:maxTransmitSize', 'ERR_LIMIT:maxGroupDepth', 'ERR_LIMIT:hardMaxEntries']) {
      expect(r.codecErrors[k] ?? 0, k).to.be.greaterThan(0)
    }
  })

  it('fast-check RPCs round-trip through the codec and never break the router', () => {
    const t = new FrameTarget(7)
    fc.assert(fc.property(rpcArb, fc.constantFrom('p0', 'p1', 'p3', 'p4', 'p5'), (rpc, peer) => {
      const body = encodeRpc(rpc)
      let decoded
      try {
        decoded = decodeRpc(body).rpc
      } catch (err) {
        // only the hard caps may refuse a frame we encoded ourselves
        return err instanceof CodecError && err.code === 'ERR_LIMIT'
      }
      expect(decoded.subscriptions.length).to.equal(rpc.subscriptions.length)
      expect(decoded.messages.length).to.equal(rpc.messages.length)
      t.receive(peer, Uint8Array.from([...varintOf(body.length), ...body]))
      t.advance(300)
      return t.checker.violations.length === 0
    }), { numRuns: 400, seed: 42 })
  })

  describe('regression fixtures', () => {
    for (const { name, fixture } of loadFixtures()) {
      it(`${name}: ${fixture.note}`, () => {
        expect(replayFixture(fixture)).to.deep.equal([])
      })
    }
  })
})

function varintOf (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n >>>= 7
  }
  out.push(n)
  return out
}
