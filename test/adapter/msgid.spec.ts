import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { FastIdCache, contentIdKey, contentMsgId, defaultMsgId, idFromKey, msgIdToBase64 } from '../../src/adapter/msgid.ts'
import { msgIdKey } from '../../src/core/msgid.ts'

/** sha256 by WebCrypto (in Node and browsers): an implementation independent of the one tested */
async function webSha256 (data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', Uint8Array.from(data)))
}

describe('adapter/msgid', () => {
  it('the default id is the raw from bytes followed by the raw seqno bytes', () => {
    const from = new Uint8Array([0, 36, 8, 1, 0xff])
    const seqno = new Uint8Array([0, 0, 0, 0, 0, 0, 1, 2])
    expect(defaultMsgId({ topic: 't', from, seqno })).to.deep.equal(new Uint8Array([0, 36, 8, 1, 0xff, 0, 0, 0, 0, 0, 0, 1, 2]))
    expect(defaultMsgId({ topic: 't' })).to.deep.equal(new Uint8Array(0))
  })

  it('the content id is sha256 of the data', async () => {
    const data = new Uint8Array([1, 2, 3])
    expect(contentMsgId(data)).to.deep.equal(await webSha256(data))
    expect(contentMsgId(undefined)).to.deep.equal(await webSha256(new Uint8Array(0)))
  })

  it('the content id key straight from the hash is the core key of the id bytes, and gives the bytes back', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (data) => {
      const expected = await webSha256(data)
      const key = await contentIdKey(data)
      expect(key).to.equal(msgIdKey(expected))
      expect(idFromKey(key)).to.deep.equal(expected)
    }), { numRuns: 300 })
    // every byte value survives the round trip (latin1 is one byte per char)
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    expect(idFromKey(msgIdKey(all))).to.deep.equal(all)
    // ids are carved from the codec's long-lived slabs, never from Node's shared Buffer pool
    const keys = await Promise.all(Array.from({ length: 1000 }, async (_, i) => contentIdKey(Uint8Array.of(i >> 8, i & 255))))
    const ids = keys.map(idFromKey)
    expect(new Set(ids.map(id => id.buffer)).size).to.be.within(2, 4)
    for (const id of ids) { expect(id.buffer.byteLength).to.equal(16384) }
    expect(ids.map(id => msgIdKey(id))).to.deep.equal(keys)
    // and the synchronous content id is the same hash
    expect(contentMsgId(Uint8Array.of(3, 231))).to.deep.equal(ids[3 * 256 + 231])
  })

  it('the public string form is base64 of the id bytes', () => {
    const id = new Uint8Array([0xfb, 0xff, 0x00])
    expect(msgIdToBase64(id)).to.equal('+/8A')
    expect(msgIdToBase64(new Uint8Array([9, 0xfb, 0xff, 0x00]).subarray(1))).to.equal('+/8A')
  })

  it('the fast-id cache expires entries after the ttl and holds at most max', () => {
    const c = new FastIdCache(100, 3)
    const known = (n: number): { id: Uint8Array, idKey: string } => ({ id: new Uint8Array([n]), idKey: msgIdKey(new Uint8Array([n])) })
    c.set('a', known(1), 0)
    c.set('b', known(2), 50)
    expect(c.get('a', 99)?.id).to.deep.equal(new Uint8Array([1]))
    expect(c.get('a', 100)).to.equal(undefined)
    c.set('c', known(3), 120)
    expect(c.size).to.equal(2) // 'a' pruned on insert
    c.set('d', known(4), 121)
    c.set('e', known(5), 122)
    expect(c.size).to.equal(3)
    expect(c.get('b', 122)).to.equal(undefined) // evicted as the oldest
    expect(c.get('e', 122)?.idKey).to.equal(msgIdKey(new Uint8Array([5])))
  })
})
