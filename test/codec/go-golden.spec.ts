// Cross-implementation check: RPC bytes written by go-libp2p-pubsub v0.17.0 (interop/golden, with
// go's own JSON reading of each) decode to the same RPC here, re-encode to the same bytes, and
// go's message signatures verify over our signed bytes.

import { readFileSync } from 'node:fs'
import { publicKeyFromProtobuf } from '@libp2p/crypto/keys'
import { expect } from 'aegir/chai'
import { decodeRpc, encodeMessageForSigning, encodeRpc } from '../../src/codec/index.ts'
import { fromHex, hex, withoutRaw } from './fixtures.ts'
import type { Rpc } from '../../src/types.ts'

const dir = new URL('../../interop/golden/', import.meta.url)
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as { rpcs: string[] }

type Json = Record<string, any>

const bytes = (v: string | undefined): Uint8Array | undefined => v === undefined ? undefined : fromHex(v)
const idList = (e: Json): Uint8Array[] => ((e.messageIDs ?? []) as string[]).map(fromHex)

/** go's JSON (bytes as hex) → the codec's domain shape */
function fromGoJson (j: Json): Rpc {
  const c = j.control as Json | undefined
  return {
    subscriptions: ((j.subscriptions ?? []) as Json[]).map(s => ({ subscribe: s.subscribe, topic: s.topicid, requestsPartial: s.requestsPartial, supportsSendingPartial: s.supportsSendingPartial })),
    messages: ((j.publish ?? []) as Json[]).map(m => ({ from: bytes(m.from), data: bytes(m.data), seqno: bytes(m.seqno), topic: m.topic ?? '', signature: bytes(m.signature), key: bytes(m.key) })),
    control: c === undefined
      ? undefined
      : {
          ihave: ((c.ihave ?? []) as Json[]).map(e => ({ topic: e.topicID ?? '', messageIds: idList(e) })),
          iwant: ((c.iwant ?? []) as Json[]).map(e => ({ messageIds: idList(e) })),
          graft: ((c.graft ?? []) as Json[]).map(e => ({ topic: e.topicID ?? '' })),
          prune: ((c.prune ?? []) as Json[]).map(e => ({
            topic: e.topicID ?? '',
            peers: ((e.peers ?? []) as Json[]).map(p => ({ peerId: bytes(p.peerID), signedPeerRecord: bytes(p.signedPeerRecord) })),
            backoff: e.backoff
          })),
          idontwant: ((c.idontwant ?? []) as Json[]).map(e => ({ messageIds: idList(e) })),
          extensions: c.extensions === undefined ? undefined : { partialMessages: c.extensions.partialMessages, testExtension: c.extensions.testExtension }
        },
    partial: undefined,
    testExtension: j.testExtension === undefined ? undefined : true
  }
}

describe('codec reads go-libp2p-pubsub golden RPCs', () => {
  for (const name of index.rpcs) {
    it(name, async () => {
      const frame = new Uint8Array(readFileSync(new URL(`${name}.bin`, dir)))
      const expected = fromGoJson(JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')))
      const { rpc, skipped } = decodeRpc(frame)
      expect(withoutRaw(rpc)).to.deep.equal(expected)
      expect(Object.values(skipped).every(n => n === 0)).to.equal(true)
      expect(hex(encodeRpc(rpc))).to.equal(hex(frame))
      expect(hex(encodeRpc(expected))).to.equal(hex(frame))
      for (const m of rpc.messages) {
        if (m.signature === undefined || m.from === undefined) { continue }
        // from is an identity multihash (0x00, length) of the protobuf public key
        const key = publicKeyFromProtobuf(m.from.subarray(2))
        expect(await key.verify(encodeMessageForSigning(m), m.signature)).to.equal(true)
        expect(await key.verify(encodeMessageForSigning({ ...m, raw: undefined } as unknown as typeof m), m.signature)).to.equal(true)
      }
    })
  }
})
