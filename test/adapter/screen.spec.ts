import { expect } from 'aegir/chai'
import { screenMessages } from '../../src/adapter/screen.ts'
import type { Screen } from '../../src/adapter/screen.ts'
import type { WireMessage } from '../../src/types.ts'

function screen (allowed?: string[]): Screen {
  return {
    allowed: allowed === undefined ? undefined : new Set(allowed),
    isSubscribed: (t) => t !== 'other',
    malformed: (m) => m.seqno?.length === 9,
    counters: { unsubscribedTopic: 0, malformed: 0 }
  }
}

describe('adapter/screen', () => {
  it('returns the same array, untouched, when every message passes', () => {
    const msgs: WireMessage[] = [{ topic: 'a' }, { topic: 'b' }]
    const s = screen()
    expect(screenMessages(msgs, s)).to.equal(msgs)
    expect(s.counters).to.deep.equal({ unsubscribedTopic: 0, malformed: 0 })
  })

  it('keeps order, drops and counts unsubscribed and malformed, drops disallowed uncounted', () => {
    const bad = { topic: 'a', seqno: new Uint8Array(9) }
    const msgs: WireMessage[] = [{ topic: 'a' }, { topic: 'other' }, bad, { topic: 'hidden' }, { topic: 'b' }]
    const s = screen(['a', 'b', 'other'])
    expect(screenMessages(msgs, s).map(m => m.topic)).to.deep.equal(['a', 'b'])
    expect(s.counters).to.deep.equal({ unsubscribedTopic: 1, malformed: 1 })
    expect(msgs).to.have.length(5)
  })
})
