import { expect } from 'aegir/chai'
import { runEth2Network } from '../../examples/eth2-style/network.ts'
import { pubsubModule as reference } from '../../examples/eth2-style/on-libp2p-gossipsub.ts'
import { pubsubModule as ours } from '../../examples/eth2-style/on-meshsub.ts'
import { KINDS } from '../../examples/eth2-style/wrapper.ts'
import type { PubsubModule } from '../../examples/eth2-style/wrapper.ts'

const variants: Array<[string, PubsubModule, string]> = [
  ['meshsub', ours, 'meshsub_'],
  ['@libp2p/gossipsub', reference as unknown as PubsubModule, 'gossipsub_']
]

describe('examples/eth2-style: one app, either package (only the import differs)', function () {
  this.timeout(90_000)

  for (const [name, mod, routerPrefix] of variants) {
    it(`on ${name}: 4 real nodes, every object accepted once, metrics registered and scraped, state readable`, async () => {
      const r = await runEth2Network(mod, { nodes: 4, perTopic: 5 })
      expect(r.expectedPerNode).to.equal(3 * KINDS.length * 5)
      expect(r.acceptedPerNode).to.deep.equal([45, 45, 45, 45])
      expect(r.duplicates).to.equal(0)
      expect(r.unexpected).to.equal(0)
      for (const m of r.metrics) {
        expect(m.app).to.equal(5)
        expect(m.router, 'the router registered its metrics on the app\'s register').to.be.greaterThan(5)
      }
      // the router's metrics are named by the package (meshsub_* / gossipsub_*)
      expect(r.routerMetricNames.filter(n => n.startsWith(routerPrefix)).length).to.be.greaterThan(5)
      const honest = r.state.slice(0, -1)
      for (let i = 0; i < honest.length; i++) {
        const s = honest[i]
        // the invalid sender was scored down and pruned; the honest nodes keep each other
        expect(s.scores[r.invalidSender]).to.be.below(0)
        for (const [peer, score] of Object.entries(s.scores)) { if (peer !== r.invalidSender) { expect(score).to.be.at.least(0) } }
        for (const k of KINDS) {
          expect(s.mesh[k]).to.have.length(2).and.not.include(r.invalidSender)
          expect(s.topicPeers[k]).to.equal(3)
          expect(r.scrapedMesh[i][k], 'the scrape read the mesh').to.equal(2)
        }
        expect(s.peers).to.equal(3)
        expect(s.dumpedPeers).to.equal(3)
      }
    })
  }
})
