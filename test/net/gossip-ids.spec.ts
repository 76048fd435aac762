// meshsub beside @libp2p/gossipsub 17, both on their default message ids and scoring, in a
// gossip-heavy network: neither kind may count a broken IWANT promise against the other.

import { expect } from 'aegir/chai'
import { runGossipIds } from '../interop/gossip-ids.ts'

const SECONDS = Number(process.env.GOSSIP_IDS_SECONDS ?? 20)

describe('default message ids in a mixed meshsub / @libp2p/gossipsub network', function () {
  this.timeout((SECONDS + 90) * 1000)

  it(`12 nodes, ${SECONDS} s of gossip-heavy traffic: no broken promises or penalties between kinds, gossip recovers both ways`, async () => {
    const r = await runGossipIds({ other: 'js', nodes: 12, seconds: SECONDS, rate: 10, seed: 0x1d5 }, line => { process.stderr.write(line + '\n') })
    expect(r.delivered, 'deliveries').to.equal(r.expected)
    for (const d of ['meshsub>js', 'js>meshsub']) {
      expect(r.brokenPromises[d] ?? 0, `broken promises ${d}`).to.equal(0)
      expect(r.maxPenalty[d], `highest P7 counter ${d}`).to.equal(0)
      expect(r.minScore[d], `lowest score ${d}`).to.be.at.least(0)
      expect(r.recovered[d] ?? 0, `messages recovered by IWANT ${d}`).to.be.above(0)
    }
  })
})
