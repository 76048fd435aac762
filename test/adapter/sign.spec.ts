import { generateKeyPair } from '@libp2p/crypto/keys'
import { expect } from 'aegir/chai'
import { SeqnoGenerator, Signer, Verifier, ed25519SigningKey, ed25519VerifyingKey, seqnoToBigInt } from '../../src/adapter/sign.ts'
import { decodeRpc, encodeMessage, encodeMessageForSigning, encodeRpc } from '../../src/codec/index.ts'
import type { WireMessage } from '../../src/types.ts'

/** Node resolves #platform to its native twin (node:crypto); browsers and workers to the portable one */
const onNode = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined

describe('adapter/sign', () => {
  it('seqnos are 8-byte big-endian, seeded from the clock and increasing', () => {
    const g = new SeqnoGenerator(0x0102030405060708n)
    const a = g.take()
    const b = g.take()
    expect(a).to.deep.equal(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))
    expect(seqnoToBigInt(b)).to.equal(0x0102030405060709n)
    const now = new SeqnoGenerator().take()
    expect(seqnoToBigInt(now) > BigInt(Date.now() - 1000) * 1_000_000n).to.equal(true)
  })

  for (const type of ['Ed25519', 'secp256k1', 'RSA'] as const) {
    it(`signs and verifies with ${type} keys (key field only when the id cannot inline it)`, async function () {
      this.timeout(20_000)
      const key = type === 'RSA' ? await generateKeyPair('RSA', 1024) : await generateKeyPair(type)
      const signer = new Signer(key, encodeMessageForSigning)
      const verifier = new Verifier(encodeMessageForSigning)
      const msg: WireMessage = { topic: 't', data: new Uint8Array([1, 2, 3]) }
      await signer.sign(msg, new SeqnoGenerator(5n).take())
      expect(msg.from).to.deep.equal(signer.peerId.toMultihash().bytes)
      expect(msg.key !== undefined).to.equal(type === 'RSA')
      // verify what a receiver decodes (the signature covers the raw bytes)
      const received = decodeRpc(encodeRpc({ subscriptions: [], messages: [msg] })).rpc.messages[0]
      const ok = await verifier.verify(received, 'StrictSign')
      expect(ok.ok).to.equal(true)
      if (ok.ok) { expect(ok.author?.peerId.equals(signer.peerId)).to.equal(true) }

      const tampered = decodeRpc(encodeRpc({ subscriptions: [], messages: [{ ...msg, data: new Uint8Array([9]) }] })).rpc.messages[0]
      expect(await verifier.verify(tampered, 'StrictSign')).to.deep.equal({ ok: false, reason: 'invalid-signature' })
    })
  }

  it('Ed25519 goes through cached native keys in Node (the key classes elsewhere) and agrees with @libp2p/crypto both ways', async () => {
    const key = await generateKeyPair('Ed25519')
    expect(ed25519SigningKey(key) !== undefined).to.equal(onNode)
    expect(ed25519VerifyingKey(key.publicKey) !== undefined).to.equal(onNode)
    const signer = new Signer(key, encodeMessageForSigning)
    const verifier = new Verifier(encodeMessageForSigning)
    for (let i = 0; i < 5; i++) {
      const msg: WireMessage = { topic: 't', data: Uint8Array.of(i, 7, i) }
      await signer.sign(msg, new SeqnoGenerator(BigInt(i)).take())
      // Ed25519 signatures are deterministic: the same bytes as the key class's own signing
      const theirs = await key.sign(encodeMessageForSigning(msg))
      expect(msg.signature).to.deep.equal(theirs)
      expect(await key.publicKey.verify(encodeMessageForSigning(msg), msg.signature as Uint8Array)).to.equal(true)
      // and a message signed by the key class verifies here, through the author's cached key
      const other: WireMessage = { ...msg, signature: theirs }
      const received = decodeRpc(encodeRpc({ subscriptions: [], messages: [other] })).rpc.messages[0]
      const ok = await verifier.verify(received, 'StrictSign')
      expect(ok.ok).to.equal(true)
      if (ok.ok) { expect(ok.author?.fastVerify !== undefined).to.equal(onNode) }
      const flipped = Uint8Array.from(theirs)
      flipped[10] ^= 1
      const bad = decodeRpc(encodeRpc({ subscriptions: [], messages: [{ ...msg, signature: flipped }] })).rpc.messages[0]
      expect(await verifier.verify(bad, 'StrictSign')).to.deep.equal({ ok: false, reason: 'invalid-signature' })
      const short = decodeRpc(encodeRpc({ subscriptions: [], messages: [{ ...msg, signature: theirs.subarray(1) }] })).rpc.messages[0]
      expect(await verifier.verify(short, 'StrictSign')).to.deep.equal({ ok: false, reason: 'invalid-signature' })
    }
  })

  it('other key types keep their own sign and verify', async () => {
    const key = await generateKeyPair('secp256k1')
    expect(ed25519SigningKey(key)).to.equal(undefined)
    expect(ed25519VerifyingKey(key.publicKey)).to.equal(undefined)
  })

  it('rejects a key that does not match from, and a missing signature or seqno', async () => {
    const a = await generateKeyPair('Ed25519')
    const b = await generateKeyPair('Ed25519')
    const signer = new Signer(a, encodeMessageForSigning)
    const verifier = new Verifier(encodeMessageForSigning)
    const msg = await signer.sign({ topic: 't', data: new Uint8Array([1]) }, new SeqnoGenerator(1n).take())
    const { publicKeyToProtobuf } = await import('@libp2p/crypto/keys')
    expect(await verifier.verify({ ...msg, key: publicKeyToProtobuf(b.publicKey) }, 'StrictSign')).to.deep.equal({ ok: false, reason: 'invalid-signature' })
    expect(await verifier.verify({ ...msg, signature: undefined }, 'StrictSign')).to.deep.equal({ ok: false, reason: 'missing-signature' })
    expect(await verifier.verify({ ...msg, seqno: new Uint8Array(4) }, 'StrictSign')).to.deep.equal({ ok: false, reason: 'missing-signature' })
    expect(await verifier.verify({ ...msg, from: new Uint8Array([1, 2, 3]) }, 'StrictSign')).to.deep.equal({ ok: false, reason: 'invalid-signature' })
  })

  it('StrictNoSign accepts bare messages and rejects any of from, seqno, signature, key', async () => {
    const verifier = new Verifier(encodeMessageForSigning)
    expect(await verifier.verify({ topic: 't', data: new Uint8Array([1]) }, 'StrictNoSign')).to.deep.equal({ ok: true })
    for (const extra of [{ from: new Uint8Array(1) }, { seqno: new Uint8Array(8) }, { signature: new Uint8Array(64) }, { key: new Uint8Array(3) }]) {
      expect(await verifier.verify({ topic: 't', ...extra }, 'StrictNoSign')).to.deep.equal({ ok: false, reason: 'unexpected-signature' })
    }
  })

  it('keeps unknown fields under the signature', async () => {
    const key = await generateKeyPair('Ed25519')
    const signer = new Signer(key, encodeMessageForSigning)
    const verifier = new Verifier(encodeMessageForSigning)
    const msg = await signer.sign({ topic: 't', data: new Uint8Array([7]) }, new SeqnoGenerator(9n).take())
    const raw = encodeMessage(msg)
    // an unknown field appended to a signed message invalidates the signature
    const withUnknown = new Uint8Array([...raw, 0x48, 0x01])
    expect(await verifier.verify({ ...msg, raw: withUnknown } as WireMessage, 'StrictSign')).to.deep.equal({ ok: false, reason: 'invalid-signature' })
    expect((await verifier.verify({ ...msg, raw } as WireMessage, 'StrictSign')).ok).to.equal(true)
  })
})
