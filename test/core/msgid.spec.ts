import { expect } from 'aegir/chai'
import { msgIdFromKey, msgIdKey } from '../../src/core/msgid.ts'
import { Harness, makeMsg } from './harness.ts'

// an id longer than a spread/apply call can take as arguments (~125k on Node 24)
const huge = (): Uint8Array => Uint8Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff)

describe('core/msgid: message id keys', () => {
  it('round-trips ids of any length, including ones too long for one fromCharCode call', () => {
    for (const id of [new Uint8Array(0), Uint8Array.of(0, 255, 128), new Uint8Array(65).fill(7), huge()]) {
      const key = msgIdKey(id)
      expect(key.length).to.equal(id.length)
      expect(msgIdFromKey(key)).to.deep.equal(id)
    }
  })

  it('a remote IHAVE, IWANT or IDONTWANT with a huge id does not throw out of the router', () => {
    const h = new Harness()
    h.connect('p0', ['t'])
    h.router.subscribe('t', h.now)
    h.feed('p0', { messages: [makeMsg('t')] })
    const id = huge()
    expect(() => h.feed('p0', { control: { ihave: [{ topic: 't', messageIds: [id] }] } })).to.not.throw()
    expect(() => h.feed('p0', { control: { iwant: [{ messageIds: [id] }] } })).to.not.throw()
    expect(() => h.feed('p0', { control: { idontwant: [{ messageIds: [id] }] } })).to.not.throw()
    expect(h.router.sizes().idontwant).to.equal(1)
  })
})
