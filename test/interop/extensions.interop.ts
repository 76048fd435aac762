// Extensions (/meshsub/1.3.0): with the spec's test extension on both sides, meshsub and go each
// advertise it in their first RPC and each send exactly one TestExtension; no side penalises the
// other. rust 0.50 speaks 1.3.0 (an empty ControlExtensions) without the test extension, and
// @libp2p/gossipsub 17 stops at 1.2.0: neither may be sent a TestExtension nor penalise us.

import { expect } from 'aegir/chai'
import { eventually, interopSuite, meshed, ProcessNode, sleep, startNode } from './mixed.ts'
import type { MeshsubNode } from './mixed.ts'

describe('interop: extensions (/meshsub/1.3.0)', function () {
  this.timeout(60_000)
  const { nodes, need } = interopSuite()

  for (const dialer of ['meshsub', 'go'] as const) {
    it(`meshsub ↔ go with the test extension, ${dialer} dials: each sends one TestExtension`, async function () {
      need(this, 'go')
      const topic = 'ext-go'
      const opts = { topics: [topic], heartbeatMs: 300, testExtension: true, traceRpc: true }
      const m = await startNode('meshsub', opts) as MeshsubNode
      nodes.push(m)
      const g = await startNode('go', opts, dialer === 'go' ? [m.addr] : []) as ProcessNode
      nodes.push(g)
      if (dialer === 'meshsub') { await m.dial(g.addr) }

      // go → meshsub: go's extensions read from its first RPC, then its TestExtension
      await eventually(() => m.router.receivedTestExtension(g.peerId), 5000, 'meshsub receives go\'s TestExtension')
      expect(m.router.peerProtocol(g.peerId)).to.equal('/meshsub/1.3.0')
      expect(m.router.peerExtensions(g.peerId)?.testExtension).to.equal(true)
      // meshsub → go: our ControlExtensions in our first RPC, then our TestExtension
      await g.peer.waitFor(e => e.event === 'testExtension' && e.from === m.peerId, 5000, 'go receives meshsub\'s TestExtension')
      const firstIn = g.peer.events.find(e => e.event === 'rpc' && e.dir === 'in' && e.peer === m.peerId) as Record<string, any> | undefined
      expect(firstIn?.control?.extensions?.testExtension, 'ControlExtensions in meshsub\'s first RPC').to.equal(true)

      await meshed(m, g, topic)
      await m.publish(topic, new TextEncoder().encode('after extensions'))
      await g.peer.waitForMessage(r => new TextDecoder().decode(r.data) === 'after extensions', 5000)
      await sleep(1500)
      const fromM = g.peer.events.filter(e => e.from === m.peerId || e.peer === m.peerId)
      expect(fromM.filter(e => e.event === 'extensions'), 'ControlExtensions from meshsub').to.have.length(1)
      expect(fromM.filter(e => e.event === 'testExtension'), 'TestExtension from meshsub').to.have.length(1)
      const outTest = g.peer.events.filter(e => e.event === 'rpc' && e.dir === 'out' && e.peer === m.peerId && e.testExtension === true)
      expect(outTest, 'TestExtension from go').to.have.length(1)
      expect(m.router.counters().extensionsRepeated).to.equal(0)
      expect((await g.penalties())[m.peerId] ?? 0, 'go penalised meshsub').to.equal(0)
      expect((await m.penalties())[g.peerId] ?? 0, 'meshsub penalised go').to.equal(0)
    })
  }

  it('meshsub (test extension on) ↔ rust (1.3.0, no test extension): no TestExtension, no penalty', async function () {
    need(this, 'rust')
    const topic = 'ext-rust'
    const m = await startNode('meshsub', { topics: [topic], heartbeatMs: 300, testExtension: true }) as MeshsubNode
    nodes.push(m)
    const r = await startNode('rust', { topics: [topic], heartbeatMs: 300 }, [m.addr])
    nodes.push(r)
    await meshed(m, r, topic)
    expect(m.router.peerProtocol(r.peerId)).to.equal('/meshsub/1.3.0')
    // rust's first RPC carried an (empty) ControlExtensions
    expect(m.router.peerExtensions(r.peerId)).to.not.equal(undefined)
    expect(m.router.peerExtensions(r.peerId)?.testExtension).to.not.equal(true)
    await m.publish(topic, new TextEncoder().encode('to rust'))
    await eventually(() => r.received().length === 1, 5000, 'rust receives')
    await sleep(1500)
    expect(m.router.receivedTestExtension(r.peerId)).to.equal(false)
    expect(m.router.counters().extensionsRepeated).to.equal(0)
    expect((await r.penalties())[m.peerId] ?? 0, 'rust penalised meshsub').to.equal(0)
    expect((await m.penalties())[r.peerId] ?? 0, 'meshsub penalised rust').to.equal(0)
  })

  it('meshsub (test extension on) ↔ @libp2p/gossipsub (1.2.0): no extensions on a 1.2.0 stream', async function () {
    const topic = 'ext-js'
    const m = await startNode('meshsub', { topics: [topic], heartbeatMs: 300, testExtension: true }) as MeshsubNode
    nodes.push(m)
    const j = await startNode('js', { topics: [topic], heartbeatMs: 300 }, [m.addr])
    nodes.push(j)
    await meshed(m, j, topic)
    expect(m.router.peerProtocol(j.peerId)).to.equal('/meshsub/1.2.0')
    expect(m.router.peerExtensions(j.peerId)).to.equal(undefined)
    await m.publish(topic, new TextEncoder().encode('to js'))
    await eventually(() => j.received().length === 1, 5000, 'js receives')
    expect((await j.penalties())[m.peerId] ?? 0).to.equal(0)
  })
})
