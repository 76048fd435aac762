import { expect } from 'aegir/chai'
import { Harness, controlTo } from '../core/harness.ts'

describe('robustness/regressions found by fuzzing', () => {
  it('a peer that SUBSCRIBEs and PRUNEs with a backoff in one RPC is not sent a GRAFT into that backoff', () => {
    const h = new Harness()
    h.router.subscribe('a', h.now)
    h.connect('p1')
    h.take()
    // the SUBSCRIBE grafts p1 into the thin mesh; the PRUNE in the same RPC removes it again
    const outs = h.feed('p1', { subscriptions: [{ subscribe: true, topic: 'a' }], control: { prune: [{ topic: 'a', peers: [], backoff: 3600 }] } })
    expect(controlTo(outs, 'p1').graft).to.deep.equal([])
    expect(h.router.getMeshPeers('a')).to.not.include('p1')
    expect(h.router.backoffExpiry('a', 'p1')).to.equal(h.now + 3_600_000)
  })

  it('a peer that SUBSCRIBEs and UNSUBSCRIBEs in one RPC is not sent a GRAFT for the topic it left', () => {
    const h = new Harness()
    h.router.subscribe('a', h.now)
    h.connect('p3')
    h.take()
    const outs = h.feed('p3', { subscriptions: [{ subscribe: true, topic: 'a' }, { subscribe: false, topic: 'a' }] })
    expect(controlTo(outs, 'p3').graft).to.deep.equal([])
    expect(h.router.getMeshPeers('a')).to.deep.equal([])
  })
})
