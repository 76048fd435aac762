// Node only: the native and the portable `#platform` twins agree on every input, so a browser
// computes the same content ids and signatures as a Node peer.

import { generateKeyPair } from '@libp2p/crypto/keys'
import { expect } from 'aegir/chai'
import fc from 'fast-check'
import * as native from '../../src/platform/platform.node.ts'
import * as portable from '../../src/platform/platform.ts'

// both twins export the same functions; the native ones fit the portable types (a compile error otherwise)
const twins: Array<typeof portable> = [native, portable]

describe('platform twins (node)', () => {
  it('the same exports', () => {
    expect(Object.keys(portable).sort()).to.deep.equal(Object.keys(native).sort())
    expect(twins).to.have.length(2)
  })

  it('sha256Key (WebCrypto here), sha256KeySync (@noble/hashes) and toBase64 agree on random bytes and views', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), fc.nat(16), async (bytes, cut) => {
      const view = bytes.subarray(Math.min(cut, bytes.length))
      expect(await portable.sha256Key(bytes)).to.equal(native.sha256Key(bytes))
      expect(await portable.sha256Key(view)).to.equal(native.sha256Key(view))
      expect(portable.sha256KeySync(view)).to.equal(native.sha256KeySync(view))
      expect(portable.toBase64(view)).to.equal(native.toBase64(view))
    }), { numRuns: 500 })
    // Node's content ids stay synchronous: no promise per received message
    expect(native.sha256Key(Uint8Array.of(1))).to.be.a('string')
  })

  it('the native Ed25519 signer and verifier agree with @libp2p/crypto; the portable twin defers to it', async () => {
    const key = await generateKeyPair('Ed25519')
    const sign = native.ed25519Signer(key.raw.subarray(0, 32))
    const verify = native.ed25519Verifier(key.publicKey.raw)
    if (sign === undefined || verify === undefined) { throw new Error('node:crypto refused an Ed25519 key') }
    const data = Uint8Array.of(1, 2, 3)
    const signature = sign(data)
    expect(signature).to.deep.equal(await key.sign(data))
    expect(verify(data, signature)).to.equal(true)
    expect(verify(Uint8Array.of(1, 2, 4), signature)).to.equal(false)
    expect(native.ed25519Verifier(new Uint8Array(5))).to.equal(undefined)
    expect(portable.ed25519Signer(key.raw.subarray(0, 32))).to.equal(undefined)
    expect(portable.ed25519Verifier(key.publicKey.raw)).to.equal(undefined)
  })
})
