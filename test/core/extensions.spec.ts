import { expect } from 'aegir/chai'
import { GossipsubIDv12, GossipsubIDv13 } from '../../src/core/types.ts'
import { Harness, TestScore, sends } from './harness.ts'

describe('core/extensions (v1.3)', () => {
  it('sends ControlExtensions once, in the first RPC with our subscriptions, on 1.3 only', () => {
    const h = new Harness({ testExtension: true })
    h.router.subscribe('t', h.now)
    h.take()
    const out = h.connect('p13', [], { protocol: GossipsubIDv13 })
    const first = sends(out, 'p13')
    expect(first).to.have.length(1)
    expect(first[0].rpc.subscriptions).to.deep.equal([{ subscribe: true, topic: 't' }])
    expect(first[0].rpc.control?.extensions).to.deep.equal({ testExtension: true })
    // later RPCs carry none
    h.router.subscribe('u', h.now)
    expect(sends(h.take(), 'p13').every(o => o.rpc.control?.extensions === undefined)).to.equal(true)
    const old = sends(h.connect('p12', [], { protocol: GossipsubIDv12 }), 'p12')
    expect(old[0].rpc.control).to.equal(undefined)
  })

  it('without any extension enabled, no ControlExtensions is sent', () => {
    const h = new Harness()
    h.router.subscribe('t', h.now)
    h.take()
    expect(sends(h.connect('p', [], { protocol: GossipsubIDv13 }), 'p')[0].rpc.control).to.equal(undefined)
  })

  it('reads a peer\'s extensions from its first RPC; a later one is misbehaviour (P7)', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    h.connect('p', [], { protocol: GossipsubIDv13 })
    h.feed('p', { control: { extensions: { testExtension: true } } })
    expect(h.router.peerExtensions('p')).to.deep.equal({ testExtension: true })
    h.feed('p', { control: { extensions: { partialMessages: true } } })
    expect(h.router.peerExtensions('p')).to.deep.equal({ testExtension: true })
    expect(score.penalty('p')).to.equal(10)
    expect(h.router.counters().extensionsRepeated).to.equal(1)
  })

  it('extensions arriving after a first RPC without them are not taken', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    h.connect('p', ['t'], { protocol: GossipsubIDv13 })
    h.feed('p', { control: { extensions: { testExtension: true } } })
    expect(h.router.peerExtensions('p')).to.equal(undefined)
    expect(score.penalty('p')).to.equal(10)
  })

  it('test extension: when both sides advertise it, each sends one RPC carrying it', () => {
    const h = new Harness({ testExtension: true })
    h.connect('p', [], { protocol: GossipsubIDv13 })
    const out = h.feed('p', { control: { extensions: { testExtension: true } } })
    expect(sends(out, 'p').filter(o => o.rpc.testExtension === true)).to.have.length(1)
    expect(h.router.receivedTestExtension('p')).to.equal(false)
    h.feed('p', { testExtension: true })
    expect(h.router.receivedTestExtension('p')).to.equal(true)
    // not when we do not advertise it
    const off = new Harness()
    off.connect('p', [], { protocol: GossipsubIDv13 })
    expect(sends(off.feed('p', { control: { extensions: { testExtension: true } } }), 'p')).to.have.length(0)
  })

  it('ignores ControlExtensions from peers below 1.3', () => {
    const h = new Harness({ testExtension: true })
    h.connect('p', [], { protocol: GossipsubIDv12 })
    expect(sends(h.feed('p', { control: { extensions: { testExtension: true } } }), 'p')).to.have.length(0)
    expect(h.router.peerExtensions('p')).to.equal(undefined)
  })
})
