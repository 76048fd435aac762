// The `#platform` primitives this runtime resolves (native in Node, portable in browsers and
// workers) against published test vectors: FIPS 180-2 sha256 and RFC 4648 base64.

import { expect } from 'aegir/chai'
import { allocSlab, sha256Key, sha256KeySync, toBase64 } from '#platform'

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)
const hexOfKey = (key: string): string => Array.from(key, c => c.charCodeAt(0).toString(16).padStart(2, '0')).join('')

describe('platform primitives', () => {
  /** hex of the digest by sha256Key (a promise in browsers, where it is WebCrypto's) and by sha256KeySync */
  async function both (data: Uint8Array): Promise<string[]> {
    return [hexOfKey(await Promise.resolve(sha256Key(data))), hexOfKey(sha256KeySync(data))]
  }

  it('sha256Key and sha256KeySync are sha256 as one char per byte (FIPS 180-2 vectors)', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    expect(await both(ascii('abc'))).to.deep.equal([abc, abc])
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    expect(await both(new Uint8Array(0))).to.deep.equal([empty, empty])
    const two = '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
    expect(await both(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).to.deep.equal([two, two])
    // a view into a larger buffer hashes only its own bytes
    expect(await both(ascii('xxabcxx').subarray(2, 5))).to.deep.equal([abc, abc])
  })

  it('sha256Key and sha256KeySync of a million "a" (FIPS 180-2)', async () => {
    const million = 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'
    expect(await both(new Uint8Array(1_000_000).fill(0x61))).to.deep.equal([million, million])
  })

  it('toBase64 is padded standard base64 (RFC 4648 §10 vectors), also of views', () => {
    const vectors: Array<[string, string]> = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']]
    for (const [input, output] of vectors) { expect(toBase64(ascii(input))).to.equal(output) }
    expect(toBase64(Uint8Array.of(0xfb, 0xff, 0x00))).to.equal('+/8A')
    expect(toBase64(ascii('__foobar__').subarray(2, 8))).to.equal('Zm9vYmFy')
  })

  it('allocSlab gives an ArrayBuffer of exactly the size asked', () => {
    const slab = allocSlab(16384)
    expect(slab).to.be.instanceOf(ArrayBuffer)
    expect(slab.byteLength).to.equal(16384)
  })
})
