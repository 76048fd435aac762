// Runs the eth2-style app on a small network of real libp2p nodes (TCP, noise, yamux, identify):
// every node publishes objects on each topic, the last one also an invalid message; returns what each saw.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { SimpleRegister } from './register.ts'
import { Eth2Gossip, KINDS } from './wrapper.ts'
import type { PubsubModule } from './wrapper.ts'
import type { Libp2p } from '@libp2p/interface'

export interface RunOptions {
  /** nodes in the network (all connected to all); default 4 */
  nodes?: number
  /** objects each node publishes per topic; default 5 */
  perTopic?: number
}

export interface RunReport {
  nodes: number
  /** valid objects each node should accept: the other nodes' objects */
  expectedPerNode: number
  /** accepted objects per node */
  acceptedPerNode: number[]
  /** (node, message id) pairs accepted more than once */
  duplicates: number
  /** objects accepted that no node published as valid */
  unexpected: number
  /** metrics on each node's register: total, the app's own (eth2_*), the router's */
  metrics: Array<{ total: number, app: number, router: number }>
  /** names of the router's metrics on the first node's register */
  routerMetricNames: string[]
  /** per node, per kind: mesh peers as the app's scrape reported them */
  scrapedMesh: Array<Record<string, number | undefined>>
  /** per node: the state the app reads */
  state: Array<ReturnType<Eth2Gossip['state']>>
  /** the node that sent an invalid message */
  invalidSender: string
}

async function waitFor (check: () => boolean, timeout: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) { throw new Error(`timed out waiting for ${what()}`) }
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

export async function runEth2Network (mod: PubsubModule, opts: RunOptions = {}): Promise<RunReport> {
  const n = opts.nodes ?? 4
  const perTopic = opts.perTopic ?? 5
  const apps: Eth2Gossip[] = []
  const nodes: Array<Libp2p<{ pubsub: unknown }>> = []
  try {
    for (let i = 0; i < n; i++) {
      const app = new Eth2Gossip(mod, new SimpleRegister())
      const node = await createLibp2p({
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        services: { identify: identify(), pubsub: app.factory() }
      })
      app.attach(node.services.pubsub)
      apps.push(app)
      nodes.push(node)
    }
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) { await nodes[i].dial(nodes[j].getMultiaddrs()[0]) }
    }
    // meshes of every topic hold all other nodes (fewer than Dlo peers exist)
    await waitFor(() => apps.every(a => KINDS.every(k => a.state().mesh[k].length === n - 1)), 20_000, () => 'meshes')

    const published = new Set<string>()
    for (let r = 0; r < perTopic; r++) {
      for (let i = 0; i < n; i++) {
        for (const kind of KINDS) {
          const obj = { slot: r, from: nodes[i].peerId.toString(), n: r }
          published.add(`${kind}:${obj.from}:${r}`)
          await apps[i].publishObject(kind, obj)
        }
      }
    }
    // the last node also sends what the app rejects: its peers score it down (P4) and prune it
    await apps[n - 1].publishRaw('beacon_block', new TextEncoder().encode('not an object'))
    const expectedPerNode = (n - 1) * KINDS.length * perTopic
    await waitFor(() => apps.every(a => a.accepted.length >= expectedPerNode), 20_000, () => `deliveries (${apps.map(a => a.accepted.length).join(', ')} of ${expectedPerNode})`)
    // the next heartbeats prune the invalid sender; gossip (IHAVE/IWANT) would bring any late duplicate
    await waitFor(() => apps.slice(0, -1).every(a => KINDS.every(k => a.state().mesh[k].length === n - 2)), 10_000, () => 'pruning')
    await new Promise(resolve => setTimeout(resolve, 1500))

    let duplicates = 0
    let unexpected = 0
    for (const a of apps) {
      const ids = new Set<string>()
      for (const { msgId, kind, obj } of a.accepted) {
        if (ids.has(msgId)) { duplicates++ }
        ids.add(msgId)
        if (!published.has(`${kind}:${obj.from}:${obj.n}`)) { unexpected++ }
      }
    }
    const metrics = apps.map(a => {
      a.register.scrape()
      const names = a.register.names()
      return { total: names.length, app: names.filter(m => m.startsWith('eth2_')).length, router: names.filter(m => !m.startsWith('eth2_')).length }
    })
    const scrapedMesh = apps.map(a => Object.fromEntries(KINDS.map(k => [k, a.register.read('eth2_gossip_mesh_peers_by_type', { type: k })])))
    return {
      nodes: n,
      expectedPerNode,
      acceptedPerNode: apps.map(a => a.accepted.length),
      duplicates,
      unexpected,
      metrics,
      routerMetricNames: apps[0].register.names().filter(m => !m.startsWith('eth2_')),
      scrapedMesh,
      state: apps.map(a => a.state()),
      invalidSender: nodes[n - 1].peerId.toString()
    }
  } finally {
    await Promise.all(nodes.map(async node => node.stop()))
  }
}

/** Prints a run's report (for the entry files run as scripts). */
export async function main (mod: PubsubModule): Promise<void> {
  const r = await runEth2Network(mod)
  // eslint-disable-next-line no-console -- an example script: printing is its output
  console.log(JSON.stringify({ ...r, state: r.state.map(s => ({ ...s, scores: Object.values(s.scores) })) }, null, 2))
}
