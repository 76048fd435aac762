// Mesh formation and GRAFT/PRUNE/backoff across implementations, watched through every router's
// score: meshsub in the middle of a star with @libp2p/gossipsub, go and rust (run together, to spend
// the 60 s once). Every node publishes twice a second for 60 s; in turn each node leaves the topic
// (PRUNE with a 5 s unsubscribe backoff) and rejoins 2 s later, so every side must wait out a backoff
// the other set. A GRAFT inside a backoff costs a behaviour penalty (P7) in all four routers: every
// second each router's P7 counters are read (go: inspect hook, rust: total score with only P7
// weighted, js: score dump, meshsub: getScoreSnapshot plus its penalty trace events) and must stay 0.

import { expect } from 'aegir/chai'
import { closeAll, meshed, sleep, startNode, unavailable } from './mixed.ts'
import type { AnyNode, Impl, MeshsubNode } from './mixed.ts'

const RUN_MS = 60_000
const BACKOFF_MS = 5000
const TOPIC = 'mesh-score'

describe('interop: mesh, GRAFT/PRUNE/backoff and no behaviour penalty over 60 s', function () {
  this.timeout(180_000)
  const nodes: AnyNode[] = []
  after(async () => { await closeAll(nodes.splice(0)) })

  it('meshsub ↔ js, go, rust: meshes form both ways, backoffs respected, P7 stays 0 on every side', async function () {
    this.timeout(20 * 60_000)
    const missing = await unavailable()
    const others = (['js', 'go', 'rust'] as Impl[]).filter(i => !missing.has(i))
    for (const why of missing.values()) { process.stderr.write(why + '\n') }

    const common = { topics: [TOPIC], heartbeatMs: 1000, unsubscribeBackoffMs: BACKOFF_MS }
    const m = await startNode('meshsub', common) as MeshsubNode
    nodes.push(m)
    const xs: AnyNode[] = []
    for (const impl of others) {
      const x = await startNode(impl, common, [m.addr])
      nodes.push(x)
      xs.push(x)
    }
    await Promise.all(xs.map(async x => meshed(m, x, TOPIC)))

    const all = [m, ...xs]
    const worst = new Map<string, number>()
    const name = new Map(all.map(n => [n.peerId, n.impl]))
    let stable = true
    const mustArrive: Array<{ data: string, from: AnyNode }> = []
    let publishErrors = 0
    // read by the two loops below, cleared when the run ends
    const run = { on: true }

    const watch = (async () => {
      while (run.on) {
        for (const n of all) {
          for (const [peer, p] of Object.entries(await n.penalties())) {
            const key = `${n.impl} → ${name.get(peer) ?? peer}`
            worst.set(key, Math.max(worst.get(key) ?? 0, p))
          }
        }
        await sleep(1000)
      }
    })()
    let seq = 0
    const traffic = (async () => {
      while (run.on) {
        for (const n of all) {
          const data = `${n.impl} ${seq++}`
          const wasStable = stable
          try {
            await n.publish(TOPIC, new TextEncoder().encode(data))
            if (wasStable) { mustArrive.push({ data, from: n }) }
          } catch {
            // a node with no subscribed peer (while the others rejoin) may refuse to publish
            publishErrors++
          }
        }
        await sleep(500)
      }
    })()

    try {
      const started = Date.now()
      // each node in turn leaves and rejoins; after each, meshes must re-form both ways
      const slot = Math.floor((RUN_MS - 5000) / all.length)
      for (const [i, n] of all.entries()) {
        await sleep(Math.max(0, started + 3000 + i * slot - Date.now()))
        stable = false
        // messages published just before are let through first
        await sleep(1000)
        await n.unsubscribe(TOPIC)
        await sleep(2000)
        await n.subscribe(TOPIC)
        await Promise.all(xs.map(async x => meshed(m, x, TOPIC, slot)))
        // a message published just before the mesh re-formed may still be on its way
        await sleep(1000)
        stable = true
      }
      await sleep(Math.max(0, started + RUN_MS - Date.now()))
    } finally {
      run.on = false
      await traffic
      await watch
    }

    // meshes: each side lists the other
    for (const x of xs) {
      expect(await m.mesh(TOPIC), `meshsub's mesh has ${x.impl}`).to.include(x.peerId)
      expect(await x.mesh(TOPIC), `${x.impl}'s mesh has meshsub`).to.include(m.peerId)
    }
    // no behaviour penalty anywhere, at any sample
    const penalised = [...worst].filter(([, p]) => p > 0)
    expect(penalised, 'behaviour penalties seen').to.deep.equal([])
    expect(m.traces.filter(t => t.type === 'penalty'), 'meshsub penalty events').to.deep.equal([])
    for (const x of xs) { expect([...worst.keys()], `${x.impl} scored meshsub`).to.include(`${x.impl} → meshsub`) }
    // every message published while all meshes were whole arrived everywhere else, once
    await sleep(1000)
    for (const { data, from } of mustArrive) {
      for (const n of all) {
        if (n === from) { continue }
        expect(n.received().filter(r => new TextDecoder().decode(r.data) === data), `${data} at ${n.impl}`).to.have.length(1)
      }
    }
    process.stderr.write(`mesh-score: ${mustArrive.length} messages checked at ${all.length - 1} nodes each, ${publishErrors} publishes refused during churn, samples: ${worst.size} (router → peer) pairs\n`)
    expect(mustArrive.length).to.be.greaterThan(100)
  })
})
