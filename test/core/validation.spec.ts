import { expect } from 'aegir/chai'
import { Harness, makeMsg, messageRecipients, outputsOf, traces } from './harness.ts'
import type { RejectReason } from '../../src/core/types.ts'

function net (n: number): Harness {
  const h = new Harness()
  for (let i = 0; i < n; i++) { h.connect(`p${i}`, ['t']) }
  h.router.subscribe('t', h.now)
  h.take()
  return h
}

describe('core/validation: verdicts and the seen cache', () => {
  // with from‖seqno ids a forger can send a bad copy under the id of an author's next message
  for (const reason of ['invalid-signature', 'missing-signature', 'unexpected-signature'] as RejectReason[]) {
    it(`a copy rejected for ${reason} does not poison its id: the genuine message still validates`, () => {
      const h = net(4)
      const forged = makeMsg('t', { n: 9001 })
      h.feed('p0', { messages: [forged] })
      h.router.reportValidation(forged.idKey, 'reject', h.now, reason)
      h.take()
      expect(h.router.isSeen(forged.idKey)).to.equal(false)
      const genuine = makeMsg('t', { n: 9001 })
      const out = h.feed('p1', { messages: [genuine] })
      expect(traces(out, 'duplicate')).to.have.length(0)
      expect(outputsOf(out, 'validate')).to.deep.equal([{ type: 'validate', msg: genuine, propagationSource: 'p1' }])
      h.router.reportValidation(genuine.idKey, 'accept', h.now)
      const done = h.take()
      expect(outputsOf(done, 'deliver')).to.have.length(1)
      expect(messageRecipients(done, genuine.idKey)).to.include('p0')
    })
  }

  it('a message rejected by a validator stays seen: later copies are duplicates', () => {
    const h = net(3)
    const m = makeMsg('t')
    h.feed('p0', { messages: [m] })
    h.router.reportValidation(m.idKey, 'reject', h.now, 'validator-reject')
    h.take()
    expect(h.router.isSeen(m.idKey)).to.equal(true)
    const out = h.feed('p1', { messages: [m] })
    expect(traces(out, 'duplicate')).to.have.length(1)
    expect(outputsOf(out, 'validate')).to.have.length(0)
  })
})
