// meshsub beside @libp2p/gossipsub 17, both on their default message ids and scoring, in a
// gossip-heavy network: neither kind may count a broken IWANT promise against the other.

import { expect } from 'aegir/chai'
import { runGossipIds } from '../interop/gossip-ids.ts'
import type { GossipIdsReport } from '../interop/gossip-ids.ts'

const SECONDS = Number(process.env.GOSSIP_IDS_SECONDS ?? 20)
const log = (line: string): void => { process.stderr.write(line + '\n') }

describe('default message ids in a mixed meshsub / @libp2p/gossipsub network', function () {
  this.timeout((SECONDS + 90) * 1000)

  const check = (r: GossipIdsReport): void => {
    expect(r.delivered, 'deliveries').to.equal(r.expected)
    for (const d of ['meshsub>js', 'js>meshsub']) {
      expect(r.brokenPromises[d] ?? 0, `broken promises ${d}`).to.equal(0)
      expect(r.maxPenalty[d], `highest P7 counter ${d}`).to.equal(0)
      expect(r.minScore[d], `lowest score ${d}`).to.be.at.least(0)
      expect(r.recovered[d] ?? 0, `messages recovered by IWANT ${d}`).to.be.above(0)
    }
  }

  it(`12 nodes, ${SECONDS} s of gossip-heavy traffic: no broken promises or penalties between kinds, gossip recovers both ways`, async () => {
    check(await runGossipIds({ other: 'js', nodes: 12, seconds: SECONDS, rate: 10, seed: 0x1d5 }, log))
  })

  it('StrictNoSign: both default to sha256(data) already (no translation involved), 8 nodes, 20 s', async () => {
    check(await runGossipIds({ other: 'js', nodes: 8, seconds: 20, rate: 10, seed: 0x5a, signaturePolicy: 'StrictNoSign' }, log))
  })
})
