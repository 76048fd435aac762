// Golden bytes written by hand from the field numbers of docs/protocol.md §2 (the comments derive each
// byte), checked in both directions: encode gives exactly these bytes and decode reads them back.

import { expect } from 'aegir/chai'
import { decodeRpc, encodeMessageForSigning, encodeRpc } from '../../src/codec/index.ts'
import { fromHex, hex, withoutRaw } from './fixtures.ts'
import type { ControlMessage, Rpc } from '../../src/types.ts'

function control (part: Partial<ControlMessage>): ControlMessage {
  return { ihave: [], iwant: [], graft: [], prune: [], idontwant: [], extensions: undefined, ...part }
}

function rpcOf (part: Partial<Rpc>): Rpc {
  return { subscriptions: [], messages: [], control: undefined, partial: undefined, testExtension: undefined, ...part }
}

const cases: Array<{ name: string, rpc: Rpc, bytes: string }> = [
  {
    // PeerInfo{peerID=010203}: 0a 03 010203 (5) · Prune: topicID 0a 03 'foo', peers 12 05 <5>,
    // backoff 18 3c (60) = 14 = 0x0e · Control: prune 22 0e <14> = 16 · RPC: control 1a 10 <16>
    name: 'PRUNE with backoff 60 and one PeerInfo',
    rpc: rpcOf({ control: control({ prune: [{ topic: 'foo', peers: [{ peerId: Uint8Array.of(1, 2, 3), signedPeerRecord: undefined }], backoff: 60 }] }) }),
    bytes: '1a 10 22 0e 0a 03 666f6f 12 05 0a 03 010203 18 3c'
  },
  {
    // IDONTWANT: messageIDs 0a 02 aabb, 0a 03 ff0001 (9) · Control: idontwant 2a 09 · RPC 1a 0b
    name: 'IDONTWANT with two ids (one not UTF-8)',
    rpc: rpcOf({ control: control({ idontwant: [{ messageIds: [Uint8Array.of(0xaa, 0xbb), Uint8Array.of(0xff, 0x00, 0x01)] }] }) }),
    bytes: '1a 0b 2a 09 0a 02 aabb 0a 03 ff0001'
  },
  {
    // ControlExtensions.testExtension: tag 6492434<<3|0 = 51939472 = varint 90 91 e2 18, value 01
    // (5) · Control: extensions 32 05 (7) · RPC 1a 07
    name: 'ControlExtensions with testExtension',
    rpc: rpcOf({ control: control({ extensions: { partialMessages: undefined, testExtension: true } }) }),
    bytes: '1a 07 32 05 90 91 e2 18 01'
  },
  {
    // RPC.testExtension: tag 6492434<<3|2 = 51939474 = 92 91 e2 18, empty TestExtension: length 00
    name: 'RPC carrying the empty TestExtension',
    rpc: rpcOf({ testExtension: true }),
    bytes: '92 91 e2 18 00'
  },
  {
    // SubOpts: subscribe 08 01, topicid 12 01 'a' (5) · RPC subscriptions 0a 05
    name: 'one subscription',
    rpc: rpcOf({ subscriptions: [{ subscribe: true, topic: 'a', requestsPartial: undefined, supportsSendingPartial: undefined }] }),
    bytes: '0a 05 08 01 12 01 61'
  },
  {
    // Message: from 0a 01 01, data 12 02 'hi', seqno 1a 08 0000000000000001, topic 22 01 't' (20)
    // · RPC publish 12 14
    name: 'one message',
    rpc: rpcOf({ messages: [{ from: Uint8Array.of(1), data: Uint8Array.of(0x68, 0x69), seqno: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1), topic: 't', signature: undefined, key: undefined }] }),
    bytes: '12 14 0a 01 01 12 02 6869 1a 08 0000000000000001 22 01 74'
  },
  {
    // IHAVE: topicID 0a 01 't', messageIDs 12 01 01 (6) · IWANT: 0a 01 02 (3) · GRAFT: 0a 01 't'
    // (3) · Control: 0a 06 <6> (8) 12 03 <3> (5) 1a 03 <3> (5) = 18 · RPC 1a 12
    name: 'IHAVE, IWANT and GRAFT',
    rpc: rpcOf({ control: control({ ihave: [{ topic: 't', messageIds: [Uint8Array.of(1)] }], iwant: [{ messageIds: [Uint8Array.of(2)] }], graft: [{ topic: 't' }] }) }),
    bytes: '1a 12 0a 06 0a 01 74 12 01 01 12 03 0a 01 02 1a 03 0a 01 74'
  },
  {
    // hostile backoff 2^64 − 1: 18 ff×9 01 (11) with topicID 0a 00 (2) · Control: 22 0d · RPC 1a 0f
    name: 'PRUNE with backoff 2^64 − 1',
    rpc: rpcOf({ control: control({ prune: [{ topic: '', peers: [], backoff: 2 ** 64 }] }) }),
    bytes: '1a 0f 22 0d 0a 00 18 ffffffffffffffffff 01'
  },
  {
    // partial (field 10, tag 10<<3|2 = 0x52): groupID 12 01 07 (3)
    name: 'draft partial-messages extension',
    rpc: rpcOf({ partial: { topicId: undefined, groupId: Uint8Array.of(7), partialMessage: undefined, partsMetadata: undefined } }),
    bytes: '52 03 12 01 07'
  }
]

describe('codec golden bytes', () => {
  for (const c of cases) {
    it(`${c.name}: encodes to the hand-written bytes and decodes back`, () => {
      const bytes = fromHex(c.bytes)
      expect(hex(encodeRpc(c.rpc))).to.equal(hex(bytes))
      expect(withoutRaw(decodeRpc(bytes).rpc)).to.deep.equal(c.rpc)
    })
  }

  it('skips unknown fields: experimental number 0x200000 (4-byte tag), varint, fixed32/64 and groups', () => {
    // 0x200000<<3|2 = 16777218 = 82 80 80 08, length 02 · field 15 fixed64 79 <8> · field 16
    // fixed32 85 01 <4> · field 20 start group a3 01, inner field 1 varint 08 07, end group a4 01
    const unknown = '82808008 02 abcd 79 0102030405060708 8501 01020304 a301 0807 a401'
    const bytes = fromHex(unknown + ' 0a 05 08 01 12 01 61 ' + unknown)
    expect(decodeRpc(bytes).rpc.subscriptions).to.deep.equal([{ subscribe: true, topic: 'a', requestsPartial: undefined, supportsSendingPartial: undefined }])
  })

  it('keeps unknown fields of a Message in raw and in the signed bytes, minus signature and key', () => {
    // Message: from 0a 01 01, data 12 02 'hi', topic 22 01 't', unknown field 7 varint 38 05,
    // signature 2a 02 'ss', key 32 01 'k' (19 = 0x13) · RPC publish 12 13
    const message = '0a 01 01 12 02 6869 22 01 74 38 05 2a 02 7373 32 01 6b'
    const { rpc } = decodeRpc(fromHex('12 13 ' + message))
    const m = rpc.messages[0]
    expect(hex(m.raw)).to.equal(hex(fromHex(message)))
    expect(m.signature).to.deep.equal(Uint8Array.of(0x73, 0x73))
    expect(hex(encodeMessageForSigning(m))).to.equal(hex(new TextEncoder().encode('libp2p-pubsub:')) + hex(fromHex('0a 01 01 12 02 6869 22 01 74 38 05')))
  })

  it('merges repeated control fields, as protobuf requires', () => {
    // two control fields: graft 't' (1a 05 1a 03 0a 01 74), then IWANT id 02 (1a 05 12 03 0a 01 02)
    const { rpc } = decodeRpc(fromHex('1a 05 1a 03 0a 01 74 1a 05 12 03 0a 01 02'))
    expect(rpc.control?.graft).to.deep.equal([{ topic: 't' }])
    expect(rpc.control?.iwant).to.deep.equal([{ messageIds: [Uint8Array.of(2)] }])
  })

  it('reads an absent Message.topic as the empty string', () => {
    expect(decodeRpc(fromHex('12 02 12 00')).rpc.messages[0].topic).to.equal('')
  })
})
