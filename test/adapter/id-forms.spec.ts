// The two default id forms of signed messages, checked against @libp2p/gossipsub's own id functions,
// and the per-peer translation of control ids.

import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
// the reference's default id functions (not exported by a subpath; read from its published files)
import { msgIdFnStrictNoSign, msgIdFnStrictSign } from '../../node_modules/@libp2p/gossipsub/dist/src/utils/msgIdFn.js'
import { IdForms, guessIdForm, idFormOf, keyFromSpec, specFromKey } from '../../src/adapter/id-forms.ts'
import { contentMsgId, defaultMsgId } from '../../src/adapter/msgid.ts'
import { emptyControl } from '../../src/types.ts'
import type { IdFormPeer } from '../../src/adapter/id-forms.ts'
import type { ControlMessage } from '../../src/types.ts'

const seqno = new Uint8Array([0x17, 2, 3, 4, 5, 6, 7, 0x88])

/** meshsub's default id and the reference's default id of one signed message by a key of `type` */
async function bothIds (type: 'Ed25519' | 'secp256k1' | 'RSA'): Promise<{ spec: Uint8Array, key: Uint8Array }> {
  const priv = type === 'RSA' ? await generateKeyPair('RSA', 1024) : await generateKeyPair(type)
  const from = peerIdFromPrivateKey(priv)
  const spec = defaultMsgId({ topic: 't', from: from.toMultihash().bytes, seqno })
  const sequenceNumber = new DataView(seqno.buffer).getBigUint64(0)
  const key = msgIdFnStrictSign({ type: 'signed', from, topic: 't', data: new Uint8Array(1), sequenceNumber, signature: new Uint8Array(64), key: priv.publicKey } as any)
  return { spec, key }
}

const ihave = (topic: string, ...ids: Uint8Array[]): ControlMessage => ({ ...emptyControl(), ihave: [{ topic, messageIds: ids }] })

describe('adapter/id-forms', () => {
  for (const type of ['Ed25519', 'secp256k1'] as const) {
    it(`${type}: the reference's default id and ours are the two forms, each computed from the other`, async () => {
      const { spec, key } = await bothIds(type)
      expect(spec).to.not.deep.equal(key)
      expect(idFormOf(spec)).to.equal('spec')
      expect(idFormOf(key)).to.equal('key')
      expect(specFromKey(key)).to.deep.equal(spec)
      expect(keyFromSpec(spec)).to.deep.equal(key)
    })
  }

  it('RSA (a hashed peer id): both forms recognised, neither computable from the other', async () => {
    const { spec, key } = await bothIds('RSA')
    expect(idFormOf(spec)).to.equal('spec')
    expect(idFormOf(key)).to.equal('key')
    expect(specFromKey(key)).to.equal(undefined)
    expect(keyFromSpec(spec)).to.equal(undefined)
  })

  it('StrictNoSign: both routers default to sha256(data), and content ids have neither form', async () => {
    const data = new TextEncoder().encode('same id everywhere')
    const ref = await msgIdFnStrictNoSign({ type: 'unsigned', topic: 't', data } as any)
    expect(contentMsgId(data)).to.deep.equal(ref)
    expect(idFormOf(ref)).to.equal(undefined)
    expect(idFormOf(new Uint8Array(0))).to.equal(undefined)
  })

  it('a key-shaped id of the wrong length is no form', async () => {
    const { key } = await bothIds('Ed25519')
    expect(idFormOf(key.subarray(0, key.length - 1))).to.equal(undefined)
    expect(specFromKey(key.subarray(1))).to.equal(undefined)
  })

  it('read: learns the form from IHAVE, turns key-form ids into ours, drops IHAVE ids with no spec form', async () => {
    const a = await bothIds('Ed25519')
    const rsa = await bothIds('RSA')
    const forms = new IdForms({ enabled: true, defaultIds: t => t !== 'custom' })
    const peer: IdFormPeer = { idForm: undefined }
    const c = ihave('t', a.key, rsa.key)
    c.iwant = [{ messageIds: [a.key] }]
    c.idontwant = [{ messageIds: [a.key, rsa.key] }]
    forms.read(peer, c)
    expect(peer.idForm).to.equal('key')
    expect(c.ihave[0].messageIds).to.deep.equal([a.spec])
    expect(c.iwant[0].messageIds).to.deep.equal([a.spec])
    // an IDONTWANT we cannot map stays as it is: it can only fail to match
    expect(c.idontwant[0].messageIds).to.deep.equal([a.spec, rsa.key])

    // a topic with its own msgIdFn: ids are the application's, left alone
    const custom = ihave('custom', a.key)
    forms.read(peer, custom)
    expect(custom.ihave[0].messageIds).to.deep.equal([a.key])

    // a spec-form IHAVE turns the peer to spec
    forms.read(peer, ihave('t', a.spec))
    expect(peer.idForm).to.equal('spec')
  })

  it('write: spec peers get the very object, key peers key form, unknown peers no spec-form IHAVE; input never mutated', async () => {
    const a = await bothIds('Ed25519')
    const rsa = await bothIds('RSA')
    const forms = new IdForms({ enabled: true, defaultIds: t => t !== 'custom' })
    const content = contentMsgId(new Uint8Array([1]))
    const c: ControlMessage = { ...emptyControl(), ihave: [{ topic: 't', messageIds: [a.spec, rsa.spec, content] }, { topic: 'custom', messageIds: [a.spec] }], iwant: [{ messageIds: [a.spec] }], idontwant: [{ messageIds: [a.spec] }] }
    const before = structuredClone(c)

    expect(forms.write({ idForm: 'spec' }, c)).to.equal(c)

    const toKey = forms.write({ idForm: 'key' }, c)
    expect(toKey.ihave).to.deep.equal([{ topic: 't', messageIds: [a.key, content] }, { topic: 'custom', messageIds: [a.spec] }])
    expect(toKey.iwant).to.deep.equal([{ messageIds: [a.key] }])
    expect(toKey.idontwant).to.deep.equal([{ messageIds: [a.key] }])

    const unknown = forms.write({ idForm: undefined }, c)
    expect(unknown.ihave).to.deep.equal([{ topic: 't', messageIds: [content] }, { topic: 'custom', messageIds: [a.spec] }])
    expect(unknown.idontwant).to.deep.equal(c.idontwant)
    expect(c).to.deep.equal(before)

    // a global msgIdFn: nothing is translated or withheld
    const off = new IdForms({ enabled: false, defaultIds: () => true })
    expect(off.write({ idForm: 'key' }, c)).to.equal(c)
  })

  it('guess: 1.3 speakers use the spec form; on ≤ 1.2 the js-libp2p agent suggests @libp2p/gossipsub', () => {
    expect(guessIdForm('/meshsub/1.3.0', undefined)).to.equal('spec')
    expect(guessIdForm('/meshsub/1.2.0', undefined)).to.equal(undefined)
    expect(guessIdForm('/meshsub/1.2.0', 'libp2p/3.3.11 node/24.11.1')).to.equal('key')
    expect(guessIdForm('/meshsub/1.1.0', 'github.com/libp2p/go-libp2p')).to.equal('spec')
  })
})
