import { expect } from 'aegir/chai'
import { Harness, TestScore, makeMsg, messageRecipients, outputsOf, traces } from './harness.ts'
import type { RejectReason } from '../../src/core/types.ts'

function net (n: number, score?: TestScore): Harness {
  const h = new Harness({}, { score })
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

  it('a forged answer to our IWANT (bad signature) does not keep the gossip promise; a validator reject does (go)', () => {
    const score = new TestScore()
    const h = net(3, score)
    const forged = makeMsg('t', { n: 9101 })
    const other = makeMsg('t', { n: 9102 })
    h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: [forged.id] }] } })
    h.feed('p2', { control: { ihave: [{ topic: 't', messageIds: [other.id] }] } })
    h.feed('p1', { messages: [forged] })
    h.feed('p2', { messages: [other] })
    h.router.reportValidation(forged.idKey, 'reject', h.now, 'invalid-signature')
    h.router.reportValidation(other.idKey, 'reject', h.now, 'validator-reject')
    expect(h.router.sizes().promises).to.equal(1)
    h.advance(4000)
    expect(score.penalty('p1')).to.equal(1)
    expect(score.penalty('p2')).to.equal(0)
  })
})
