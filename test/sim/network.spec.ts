import { expect } from 'aegir/chai'
import { SeededRng } from '../../src/core/rng.ts'
import { Sim } from '../../src/sim/network.ts'
import { runScenario } from '../../src/sim/run.ts'
import { scaledTimeline, scenarioByName } from '../../src/sim/scenarios.ts'
import { clustered, components, randomDegreeRange, randomRegular } from '../../src/sim/topology.ts'
import type { ScenarioSpec } from '../../src/sim/scenario.ts'
import type { Edge } from '../../src/sim/topology.ts'

const T = 't'

/** a — b — c in a line, all subscribed, meshes formed. */
function line (opts: { upBps?: number, downBps?: number, validationDelay?: number, loss?: number } = {}): Sim {
  const sim = new Sim({ seed: 1, loss: opts.loss })
  sim.addNode({ key: 'a', honest: true, upBps: opts.upBps })
  sim.addNode({ key: 'b', honest: true, downBps: opts.downBps, validationDelay: opts.validationDelay })
  sim.addNode({ key: 'c', honest: true })
  for (const k of ['a', 'b', 'c']) { sim.subscribe(k, T) }
  sim.connect('a', 'b', 25)
  sim.connect('b', 'c', 25)
  sim.runFor(3000)
  return sim
}

function degrees (edges: Edge[], n: number): number[] {
  const d = new Array<number>(n).fill(0)
  for (const [a, b] of edges) { d[a]++; d[b]++ }
  return d
}

describe('sim: network model', function () {
  this.timeout(60_000)

  it('a hop costs the link latency; validation delay adds at the validating node', () => {
    const sim = line({ validationDelay: 40 })
    const t0 = sim.now
    const m = sim.publish('a', T, new Uint8Array(100))
    sim.runFor(1000)
    expect(sim.node('b').delivered.get(m.idKey)).to.equal(t0 + 25 + 40)
    expect(sim.node('c').delivered.get(m.idKey)).to.equal(t0 + 25 + 40 + 25)
  })

  it('upload bandwidth queues: large messages cost size/bandwidth each, back to back', () => {
    const sim = line({ upBps: 8_000_000 })
    const t0 = sim.now
    const m1 = sim.publish('a', T, new Uint8Array(100_000))
    const m2 = sim.publish('a', T, new Uint8Array(100_000))
    sim.runFor(2000)
    const d1 = (sim.node('b').delivered.get(m1.idKey) as number) - t0
    const d2 = (sim.node('b').delivered.get(m2.idKey) as number) - t0
    // 100 kB at 8 Mbit/s is 100 ms on the wire, plus 25 ms of latency
    expect(d1).to.be.within(125, 127)
    expect(d2).to.be.within(225, 227)
  })

  it('download bandwidth queues at the receiver', () => {
    const sim = line({ downBps: 8_000_000 })
    const t0 = sim.now
    const m = sim.publish('a', T, new Uint8Array(100_000))
    sim.runFor(2000)
    expect((sim.node('b').delivered.get(m.idKey) as number) - t0).to.be.within(125, 127)
  })

  it('loss drops data only: meshes still form, messages do not cross', () => {
    const sim = line({ loss: 1 })
    expect(sim.node('b').router.getMeshPeers(T)).to.have.members(['a', 'c'])
    const m = sim.publish('a', T, new Uint8Array(10))
    sim.runFor(5000)
    expect(sim.node('b').delivered.has(m.idKey)).to.equal(false)
  })

  it('disconnect drops RPCs in flight; a node that leaves and rejoins keeps its identity', () => {
    const sim = line()
    const m = sim.publish('a', T, new Uint8Array(10))
    sim.runFor(10)
    sim.disconnect('a', 'b')
    sim.runFor(1000)
    expect(sim.node('b').delivered.has(m.idKey)).to.equal(false)
    sim.removeNode('c')
    expect(sim.node('b').router.getPeers()).to.deep.equal([])
    const c2 = sim.addNode({ key: 'c', honest: true })
    sim.subscribe('c', T)
    sim.connect('c', 'b')
    sim.connect('a', 'b')
    sim.runFor(3000)
    const m2 = sim.publish('a', T, new Uint8Array(10))
    sim.runFor(1000)
    expect(c2.delivered.has(m2.idKey)).to.equal(true)
    expect(sim.all.filter(n => n.key === 'c').length).to.equal(2)
  })

  it('topologies: random regular is d-regular and simple; degree range; clusters linked by bridges', () => {
    const rng = new SeededRng(5)
    const reg = randomRegular(rng, 101, 7)
    expect(degrees(reg, 101).filter(d => d !== 7).length).to.be.at.most(1)
    expect(new Set(reg.map(([a, b]) => a < b ? `${a},${b}` : `${b},${a}`)).size).to.equal(reg.length)
    const range = randomDegreeRange(rng, 200, 4, 8)
    expect(Math.min(...degrees(range, 200))).to.be.at.least(4)
    const cl = clustered(rng, 90, 3, 6, 1)
    const cross = cl.filter(([a, b]) => a % 3 !== b % 3).length
    expect(cross).to.equal(90)
    const labels = components(90, i => cl.filter(e => e[0] === i || e[1] === i).map(e => e[0] === i ? e[1] : e[0]), () => true)
    expect(new Set(labels).size).to.equal(1)
  })

  it('a matrix latency model gives intra- and inter-cluster latencies', () => {
    const sim = new Sim({ seed: 2, latency: { kind: 'matrix', ms: [[10, 80], [80, 10]] } })
    sim.addNode({ key: 'x0', honest: true, cluster: 0 })
    sim.addNode({ key: 'x1', honest: true, cluster: 0 })
    sim.addNode({ key: 'y0', honest: true, cluster: 1 })
    expect(sim.connect('x0', 'x1')?.latency).to.equal(10)
    expect(sim.connect('x0', 'y0')?.latency).to.equal(80)
  })

  it('the same seed gives the same run; another seed a different one', () => {
    const spec = { ...scaledTimeline(scenarioByName('covert-flash') as ScenarioSpec, 0.25), rate: 4 }
    const strip = (seed: number): string => {
      const { wallMs, cpuMs, heapStart, heapPeak, heapEnd, heapSlope, nodeSecondsPerWallSecond, usPerAttackerRpc, usPerIgnoredRpc, ...f } = runScenario(spec, { seed, honest: 30 }).figures
      return JSON.stringify(f)
    }
    const a = strip(3)
    expect(strip(3)).to.equal(a)
    expect(strip(4)).to.not.equal(a)
  })
})
