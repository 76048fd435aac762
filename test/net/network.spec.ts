import { expect } from 'aegir/chai'
import { Network, randomRegularGraph } from './network.ts'
import type { RouterOptions } from '../../src/config.ts'

const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${String(i).padStart(2, '0')}`)

/** n nodes on a random d-regular graph, all subscribed to `topic`, heartbeat phases spread. */
function build (seed: number, n: number, d: number, router: RouterOptions = {}, topic = 't'): Network {
  const net = new Network({ seed, router })
  const ks = keys(n)
  for (const k of ks) { net.addNode(k, {}, net.rng.int(1000)) }
  for (const k of ks) { net.subscribe(k, topic) }
  for (const [a, b] of randomRegularGraph(net.rng, ks, d)) { net.connect(a, b) }
  return net
}

function deliveredEverywhere (net: Network, idKey: string, origin: string, except: Set<string> = new Set()): boolean {
  for (const node of net.nodes.values()) {
    if (node.key === origin || except.has(node.key)) { continue }
    if (!node.delivered.has(idKey)) { return false }
  }
  return true
}

describe('net: a network of router cores in virtual time', function () {
  this.timeout(60_000)

  it('random 10-regular graph is 10-regular and simple', () => {
    const net = new Network({ seed: 3 })
    const edges = randomRegularGraph(net.rng, keys(50), 10)
    const degree = new Map<string, number>()
    const seen = new Set<string>()
    for (const [a, b] of edges) {
      expect(a).to.not.equal(b)
      const k = a < b ? `${a}${b}` : `${b}${a}`
      expect(seen.has(k)).to.equal(false)
      seen.add(k)
      degree.set(a, (degree.get(a) ?? 0) + 1)
      degree.set(b, (degree.get(b) ?? 0) + 1)
    }
    expect([...degree.values()].every(x => x === 10)).to.equal(true)
    expect(degree.size).to.equal(50)
  })

  it('50 nodes, degree 10: every mesh within [Dlo, Dhi] after 5 heartbeats; 200 messages reach everyone', () => {
    const net = build(1, 50, 10)
    net.runFor(5 * 1000 + 200)
    for (const node of net.nodes.values()) {
      const size = node.router.getMeshPeers('t').length
      expect(size, `${node.key} mesh`).to.be.within(4, 12)
    }
    const ks = keys(50)
    const msgs: Array<{ idKey: string, origin: string }> = []
    for (let i = 0; i < 200; i++) {
      const origin = ks[net.rng.int(ks.length)]
      const { msg, result } = net.publish(origin, 't')
      expect(result.recipients.length).to.be.greaterThan(0)
      msgs.push({ idKey: msg.idKey, origin })
      net.runFor(10)
    }
    net.runFor(3000)
    let delivered = 0
    for (const { idKey, origin } of msgs) {
      for (const node of net.nodes.values()) {
        if (node.key !== origin && node.delivered.has(idKey)) { delivered++ }
      }
    }
    expect(delivered).to.equal(200 * 49)
    // every node still within bounds, and no state grew past its bound
    for (const node of net.nodes.values()) {
      expect(node.router.getMeshPeers('t').length).to.be.within(4, 12)
      const s = node.router.sizes()
      expect(s.pendingValidations).to.equal(0)
      expect(s.peers).to.equal(10)
    }
  })

  /** Meshes settle, then `pick` chooses mesh links that drop data; 100 messages are published. */
  function lossyRun (seed: number, pick: (net: Network, meshLinks: string[]) => string[]): { missing: number, late: number, viaGossip: number, dropped: number, meshLinks: number } {
    // no flood publish: the publisher relies on its mesh like every relay
    const net = build(seed, 50, 10, { floodPublish: false })
    net.runFor(5200)
    const all = new Set<string>()
    for (const node of net.nodes.values()) {
      for (const p of node.router.getMeshPeers('t')) { all.add(node.key < p ? `${node.key}|${p}` : `${p}|${node.key}`) }
    }
    const chosen = pick(net, [...all].sort())
    for (const l of chosen) {
      const [a, b] = l.split('|')
      const link = net.link(a, b)
      if (link !== undefined) { link.dropData = true }
    }
    const ks = keys(50)
    const msgs: Array<{ idKey: string, origin: string, at: number }> = []
    for (let i = 0; i < 100; i++) {
      const origin = ks[net.rng.int(ks.length)]
      const { msg } = net.publish(origin, 't')
      msgs.push({ idKey: msg.idKey, origin, at: net.now })
      net.runFor(20)
    }
    net.runFor(4000)
    let late = 0
    let missing = 0
    let viaGossip = 0
    for (const { idKey, origin, at } of msgs) {
      for (const node of net.nodes.values()) {
        if (node.key === origin) { continue }
        const t = node.delivered.get(idKey)
        // 25 ms links: a mesh path takes well under 300 ms; later ones waited for a heartbeat's IHAVE
        if (t === undefined) { missing++ } else if (t - at > 3000) { late++ } else if (t - at > 300) { viaGossip++ }
      }
    }
    return { missing, late, viaGossip, dropped: chosen.length, meshLinks: all.size }
  }

  it('with 30% of mesh links (chosen at random) silently dropping data, 100% arrive within 3 heartbeats', () => {
    const r = lossyRun(2, (net, links) => links.filter(() => net.rng.next() < 0.3))
    expect(r.dropped).to.be.within(r.meshLinks * 0.2, r.meshLinks * 0.4)
    expect(r.missing).to.equal(0)
    expect(r.late).to.equal(0)
  })

  it('with 30% of mesh links dropping data around a few nodes, gossip delivers 100% within 3 heartbeats', () => {
    // worst case for the mesh: whole nodes lose all their mesh data links, so only IHAVE/IWANT
    // over their non-mesh links can reach them
    const r = lossyRun(5, (net, links) => {
      const target = Math.ceil(links.length * 0.3)
      const chosen = new Set<string>()
      for (const victim of keys(50)) {
        if (chosen.size >= target) { break }
        for (const l of links) { if (l.split('|').includes(victim)) { chosen.add(l) } }
      }
      return [...chosen]
    })
    expect(r.dropped).to.be.at.least(r.meshLinks * 0.3)
    expect(r.missing).to.equal(0)
    expect(r.late).to.equal(0)
    expect(r.viaGossip).to.be.greaterThan(100)
  })

  it('a non-subscribed publisher uses fanout and forgets it fanoutTTL after its last publish', () => {
    const net = build(4, 20, 6, { floodPublish: false, fanoutTTL: 10_000 })
    const pub = net.addNode('pub', {}, 0)
    for (const k of keys(20).slice(0, 8)) { net.connect('pub', k) }
    net.runFor(3000)
    const { msg, result } = net.publish('pub', 't')
    expect(result.recipients).to.have.length(6)
    expect(pub.router.getFanoutPeers('t')).to.have.length(6)
    net.runFor(2000)
    expect(deliveredEverywhere(net, msg.idKey, 'pub')).to.equal(true)
    net.runFor(7000)
    expect(pub.router.getFanoutPeers('t')).to.have.length(6)
    net.runFor(2000)
    expect(pub.router.getFanoutPeers('t')).to.deep.equal([])
    expect(pub.router.getMeshPeers('t')).to.deep.equal([])
  })

  it('determinism: the same seed gives the same output trace; another seed another', () => {
    const run = (seed: number): { hash: number, outputs: number } => {
      const net = build(seed, 20, 6)
      net.runFor(3000)
      for (let i = 0; i < 30; i++) {
        net.publish(keys(20)[net.rng.int(20)], 't')
        net.runFor(50)
      }
      net.runFor(3000)
      return { hash: net.traceHash, outputs: net.outputs }
    }
    const a = run(7)
    const b = run(7)
    const c = run(8)
    expect(a.outputs).to.be.greaterThan(1000)
    expect(b).to.deep.equal(a)
    expect(c.hash).to.not.equal(a.hash)
  })
})

describe('net: churn and PX', function () {
  this.timeout(60_000)

  it('with ±10% latency jitter (links stay FIFO) 100 messages still reach everyone within 3 s', () => {
    const net = new Network({ seed: 21, jitter: 0.1 })
    const ks = keys(40)
    for (const k of ks) { net.addNode(k, {}, net.rng.int(1000)) }
    for (const k of ks) { net.subscribe(k, 't') }
    for (const [a, b] of randomRegularGraph(net.rng, ks, 8)) { net.connect(a, b) }
    net.runFor(3000)
    const sent: Array<{ idKey: string, origin: string, at: number }> = []
    for (let i = 0; i < 100; i++) {
      const origin = ks[net.rng.int(ks.length)]
      sent.push({ idKey: net.publish(origin, 't').msg.idKey, origin, at: net.now })
      net.runFor(7)
    }
    net.runFor(3000)
    for (const { idKey, origin, at } of sent) {
      for (const node of net.nodes.values()) {
        if (node.key === origin) { continue }
        const t = node.delivered.get(idKey)
        expect(t, `${idKey} at ${node.key}`).to.not.equal(undefined)
        expect((t ?? Infinity) - at).to.be.at.most(3000)
      }
    }
  })

  it('meshes heal after peers disconnect, and delivery stays complete', () => {
    const net = build(11, 30, 8)
    net.runFor(3000)
    const ks = keys(30)
    // drop two links of every fifth node
    for (let i = 0; i < ks.length; i += 5) {
      const mesh = net.node(ks[i]).router.getMeshPeers('t')
      for (const p of mesh.slice(0, 2)) { net.disconnect(ks[i], p) }
    }
    net.runFor(3000)
    for (const node of net.nodes.values()) {
      expect(node.router.getMeshPeers('t').length).to.be.at.least(4)
    }
    const { msg } = net.publish(ks[3], 't')
    net.runFor(2000)
    expect(deliveredEverywhere(net, msg.idKey, ks[3])).to.equal(true)
  })

  it('PX on prune leads to new connections when dials are honoured', () => {
    // scoring is off (every score 0), so PX must be accepted from score 0
    const net = new Network({ seed: 12, autoDial: true, router: { doPX: true, scoreThresholds: { acceptPXThreshold: 0 } } })
    // a hub with more subscribers than Dhi prunes the excess with PX naming the others
    net.addNode('hub')
    net.subscribe('hub', 't')
    const ks = keys(16)
    for (const k of ks) {
      net.addNode(k)
      net.subscribe(k, 't')
      net.connect(k, 'hub')
    }
    net.runFor(3000)
    let links = 0
    for (const k of ks) { for (const o of ks) { if (k < o && net.link(k, o) !== undefined) { links++ } } }
    expect(links).to.be.greaterThan(0)
  })
})
