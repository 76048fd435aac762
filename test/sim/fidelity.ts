// Fidelity check (opt-in: `npx node test/sim/fidelity.ts`): one 20-node scenario run both in the
// simulator and on real libp2p nodes (in-memory transport with 25 ms per buffer, noise, yamux), compared.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { createLibp2p } from 'libp2p'
import { SeededRng } from '../../src/core/rng.ts'
import { gossipsub } from '../../src/index.ts'
import { quantile } from '../../src/sim/measure.ts'
import { Sim } from '../../src/sim/network.ts'
import { randomRegular } from '../../src/sim/topology.ts'
import type { GossipSub } from '../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

const N = 20
const DEGREE = 8
const LATENCY = 25
const MESSAGES = 100
const RATE = 5
const SIZE = 2048
const WARMUP = 5000
const SEED = 7

interface Outcome { delivered: number, expected: number, lat: number[], duplicates: number }

const rng = new SeededRng(SEED)
const edges = randomRegular(rng, N, DEGREE)
const publishers = Array.from({ length: MESSAGES }, () => rng.int(N))
const payload = (i: number): Uint8Array => { const d = new Uint8Array(SIZE); new DataView(d.buffer).setUint32(0, i); return d }

function summarise (name: string, o: Outcome): string {
  const lat = o.lat.sort((a, b) => a - b)
  return `${name.padEnd(8)} delivery ${(100 * o.delivered / o.expected).toFixed(2)}%  p50 ${quantile(lat, 0.5).toFixed(1)} ms  p90 ${quantile(lat, 0.9).toFixed(1)} ms  p99 ${quantile(lat, 0.99).toFixed(1)} ms  max ${lat[lat.length - 1].toFixed(1)} ms  duplicates/delivery ${(o.duplicates / o.delivered).toFixed(2)}`
}

function simulated (): Outcome {
  const sim = new Sim({ seed: SEED })
  const keys = Array.from({ length: N }, (_, i) => `n${i}`)
  for (const k of keys) { sim.addNode({ key: k, honest: true }); sim.subscribe(k, 't') }
  for (const [a, b] of edges) { sim.connect(keys[a], keys[b], LATENCY) }
  sim.runFor(WARMUP)
  const sent: Array<{ idKey: string, at: number, origin: number }> = []
  for (let i = 0; i < MESSAGES; i++) {
    sent.push({ idKey: sim.publish(keys[publishers[i]], 't', payload(i)).idKey, at: sim.now, origin: publishers[i] })
    sim.runFor(1000 / RATE)
  }
  sim.runFor(3000)
  const o: Outcome = { delivered: 0, expected: 0, lat: [], duplicates: 0 }
  for (const s of sent) {
    sim.all.forEach((n, i) => {
      if (i === s.origin) { return }
      o.expected++
      const t = n.delivered.get(s.idKey)
      if (t !== undefined) { o.delivered++; o.lat.push(t - s.at) }
    })
  }
  o.duplicates = sim.all.reduce((x, n) => x + n.duplicates, 0)
  return o
}

type Node = Libp2p<{ pubsub: GossipSub, identify: unknown }>

async function real (): Promise<Outcome> {
  const nodes: Node[] = []
  for (let i = 0; i < N; i++) {
    nodes.push(await createLibp2p({
      addresses: { listen: [`/memory/fidelity-${process.pid}-${i}`] },
      transports: [memory({ latency: LATENCY })],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign' }) }
    }) as unknown as Node)
  }
  const got: Array<Map<number, number>> = nodes.map(() => new Map())
  let duplicates = 0
  nodes.forEach((n, i) => {
    n.services.pubsub.subscribe('t')
    n.services.pubsub.addEventListener('message', (e) => { got[i].set(new DataView(e.detail.data.buffer, e.detail.data.byteOffset).getUint32(0), performance.now()) })
    n.services.pubsub.addEventListener('gossipsub:trace', (e) => { if (e.detail.type === 'duplicate') { duplicates++ } })
  })
  await Promise.all(edges.map(async ([a, b]) => nodes[a].dial(nodes[b].getMultiaddrs()[0])))
  await new Promise(resolve => setTimeout(resolve, WARMUP))
  const sentAt: number[] = []
  for (let i = 0; i < MESSAGES; i++) {
    sentAt.push(performance.now())
    await nodes[publishers[i]].services.pubsub.publish('t', payload(i))
    await new Promise(resolve => setTimeout(resolve, 1000 / RATE))
  }
  await new Promise(resolve => setTimeout(resolve, 3000))
  const o: Outcome = { delivered: 0, expected: 0, lat: [], duplicates }
  for (let i = 0; i < MESSAGES; i++) {
    for (let j = 0; j < N; j++) {
      if (j === publishers[i]) { continue }
      o.expected++
      const t = got[j].get(i)
      if (t !== undefined) { o.delivered++; o.lat.push(t - sentAt[i]) }
    }
  }
  await Promise.all(nodes.map(async n => n.stop()))
  return o
}

const s = simulated()
const r = await real()
process.stdout.write(`${N} nodes, random ${DEGREE}-regular graph, ${LATENCY} ms per link, ${MESSAGES} messages of ${SIZE} B at ${RATE}/s, seed ${SEED}\n${summarise('sim', s)}\n${summarise('libp2p', r)}\n`)
