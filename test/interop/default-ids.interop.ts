// Default message ids in mixed networks over 60 s of gossip-heavy traffic: meshsub beside
// @libp2p/gossipsub 17 (whose default id differs) and beside go-libp2p-pubsub (whose default is the spec's).

import { expect } from 'aegir/chai'
import { runGossipIds } from './gossip-ids.ts'
import { interopSuite } from './mixed.ts'
import type { GossipIdsReport } from './gossip-ids.ts'
import type { Impl } from './mixed.ts'

const SECONDS = 60
const log = (line: string): void => { process.stderr.write(line + '\n') }

function check (r: GossipIdsReport, other: Impl): void {
  expect(r.delivered, 'deliveries').to.equal(r.expected)
  for (const d of [`meshsub>${other}`, `${other}>meshsub`]) {
    expect(r.brokenPromises[d] ?? 0, `broken promises ${d}`).to.equal(0)
    expect(r.maxPenalty[d], `highest P7 counter ${d}`).to.equal(0)
    if (r.minScore[d] !== undefined) { expect(r.minScore[d], `lowest score ${d}`).to.be.at.least(0) }
    expect(r.recovered[d] ?? 0, `messages recovered by IWANT ${d}`).to.be.above(0)
  }
}

describe('interop: default message ids, gossip-heavy, 60 s', function () {
  this.timeout((SECONDS + 120) * 1000)
  const { need } = interopSuite()

  it('meshsub + @libp2p/gossipsub, 12 nodes: no penalty either way, gossip recovers both ways', async () => {
    check(await runGossipIds({ other: 'js', nodes: 12, seconds: SECONDS, rate: 10, seed: 0x1d6 }, log), 'js')
  })

  it('meshsub + go-libp2p-pubsub, 12 nodes: no penalty either way, gossip recovers both ways', async function () {
    need(this, 'go')
    check(await runGossipIds({ other: 'go', nodes: 12, seconds: SECONDS, rate: 10, seed: 0x1d7 }, log), 'go')
  })
})
