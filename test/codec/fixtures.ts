// Shared test material for the codec: fast-check arbitraries of domain RPCs in their full shape,
// and conversions to and from the protobufjs oracle generated from proto/rpc.proto.

import fc from 'fast-check'
import { meshsub } from '../../generated/rpc.js'
import type {
  ControlMessage, DecodedRpc, PartialMessagesExtension, PeerInfo, Rpc, SubOpts, WireMessage
} from '../../src/types.ts'

export const pb = meshsub.pb

const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined })

/** bytes of any value: ids are often not UTF-8 */
export const bytesArb = (maxLength = 24): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength })
/** any code point (no lone surrogates, which UTF-8 cannot carry), incl. a leading U+FEFF */
export const topicArb = fc.string({ unit: 'binary', maxLength: 12 })
const optBool = opt(fc.boolean())
const idsArb = fc.array(bytesArb(40), { maxLength: 6 })

export const subOptsArb: fc.Arbitrary<SubOpts> = fc.record({
  subscribe: optBool,
  topic: opt(topicArb),
  requestsPartial: optBool,
  supportsSendingPartial: optBool
})

export const messageArb: fc.Arbitrary<WireMessage> = fc.record({
  from: opt(bytesArb(40)),
  data: opt(bytesArb(200)),
  seqno: opt(bytesArb(8)),
  topic: topicArb,
  signature: opt(bytesArb(64)),
  key: opt(bytesArb(36))
})

const peerInfoArb: fc.Arbitrary<PeerInfo> = fc.record({ peerId: opt(bytesArb(40)), signedPeerRecord: opt(bytesArb(80)) })

export const controlArb: fc.Arbitrary<ControlMessage> = fc.record({
  ihave: fc.array(fc.record({ topic: topicArb, messageIds: idsArb }), { maxLength: 3 }),
  iwant: fc.array(fc.record({ messageIds: idsArb }), { maxLength: 3 }),
  graft: fc.array(fc.record({ topic: topicArb }), { maxLength: 3 }),
  prune: fc.array(fc.record({
    topic: topicArb,
    peers: fc.array(peerInfoArb, { maxLength: 3 }),
    backoff: opt(fc.oneof(fc.nat(120), fc.maxSafeNat()))
  }), { maxLength: 3 }),
  idontwant: fc.array(fc.record({ messageIds: idsArb }), { maxLength: 3 }),
  extensions: opt(fc.record({ partialMessages: optBool, testExtension: optBool }))
})

const partialArb: fc.Arbitrary<PartialMessagesExtension> = fc.record({
  topicId: opt(bytesArb()),
  groupId: opt(bytesArb()),
  partialMessage: opt(bytesArb()),
  partsMetadata: opt(bytesArb())
})

/** RPCs in the codec's decoded shape (every key present, absent = undefined), minus `raw`. */
export const rpcArb: fc.Arbitrary<Rpc> = fc.record({
  subscriptions: fc.array(subOptsArb, { maxLength: 4 }),
  messages: fc.array(messageArb, { maxLength: 4 }),
  control: opt(controlArb),
  partial: opt(partialArb),
  testExtension: opt(fc.constant(true as const))
})

/** A decoded RPC without the `raw` views, for comparison with plain inputs. */
export function withoutRaw (rpc: DecodedRpc): Rpc {
  return { ...rpc, messages: rpc.messages.map(({ raw, ...m }) => m) }
}

/** Domain RPC → protobufjs properties (field names of proto/rpc.proto). */
export function toOracle (rpc: Rpc): meshsub.pb.RPC.$Properties {
  const c = rpc.control
  return {
    subscriptions: rpc.subscriptions.map(s => ({
      subscribe: s.subscribe, topicid: s.topic, requestsPartial: s.requestsPartial, supportsSendingPartial: s.supportsSendingPartial
    })),
    publish: rpc.messages.map(m => ({ from: m.from, data: m.data, seqno: m.seqno, topic: m.topic, signature: m.signature, key: m.key })),
    control: c === undefined
      ? undefined
      : {
          ihave: c.ihave.map(e => ({ topicID: e.topic, messageIDs: e.messageIds })),
          iwant: c.iwant.map(e => ({ messageIDs: e.messageIds })),
          graft: c.graft.map(e => ({ topicID: e.topic })),
          prune: c.prune.map(e => ({ topicID: e.topic, peers: e.peers.map(p => ({ peerID: p.peerId, signedPeerRecord: p.signedPeerRecord })), backoff: e.backoff })),
          idontwant: c.idontwant.map(e => ({ messageIDs: e.messageIds })),
          extensions: c.extensions
        },
    partial: rpc.partial === undefined
      ? undefined
      : { topicID: rpc.partial.topicId, groupID: rpc.partial.groupId, partialMessage: rpc.partial.partialMessage, partsMetadata: rpc.partial.partsMetadata },
    testExtension: rpc.testExtension === true ? {} : undefined
  }
}

type Obj = Record<string, unknown>

/** The field's value if the decoder set it (protobufjs puts defaults on the prototype). */
function own<T> (o: unknown, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? (o as Obj)[key] as T : undefined
}

function b (o: unknown, key: string): Uint8Array | undefined {
  const v = own<Uint8Array>(o, key)
  return v === undefined ? undefined : new Uint8Array(v)
}

function list (o: unknown, key: string): Obj[] {
  return own<Obj[]>(o, key) ?? []
}

function ids (o: unknown): Uint8Array[] {
  return list(o, 'messageIDs').map(id => new Uint8Array(id as unknown as Uint8Array))
}

function num (v: unknown): number | undefined {
  if (v === undefined || typeof v === 'number') { return v }
  return (v as { toNumber(): number }).toNumber()
}

/** Decodes with protobufjs and converts to the codec's domain shape. */
export function decodeWithOracle (bytes: Uint8Array): Rpc {
  const r = pb.RPC.decode(bytes)
  const c = own<Obj>(r, 'control')
  const p = own<Obj>(r, 'partial')
  const x = c === undefined ? undefined : own<Obj>(c, 'extensions')
  return {
    subscriptions: list(r, 'subscriptions').map(s => ({
      subscribe: own(s, 'subscribe'), topic: own(s, 'topicid'), requestsPartial: own(s, 'requestsPartial'), supportsSendingPartial: own(s, 'supportsSendingPartial')
    })),
    messages: list(r, 'publish').map(m => ({
      from: b(m, 'from'), data: b(m, 'data'), seqno: b(m, 'seqno'), topic: own<string>(m, 'topic') ?? '', signature: b(m, 'signature'), key: b(m, 'key')
    })),
    control: c === undefined
      ? undefined
      : {
          ihave: list(c, 'ihave').map(e => ({ topic: own<string>(e, 'topicID') ?? '', messageIds: ids(e) })),
          iwant: list(c, 'iwant').map(e => ({ messageIds: ids(e) })),
          graft: list(c, 'graft').map(e => ({ topic: own<string>(e, 'topicID') ?? '' })),
          prune: list(c, 'prune').map(e => ({
            topic: own<string>(e, 'topicID') ?? '',
            peers: list(e, 'peers').map(pi => ({ peerId: b(pi, 'peerID'), signedPeerRecord: b(pi, 'signedPeerRecord') })),
            backoff: num(own(e, 'backoff'))
          })),
          idontwant: list(c, 'idontwant').map(e => ({ messageIds: ids(e) })),
          extensions: x === undefined ? undefined : { partialMessages: own(x, 'partialMessages'), testExtension: own(x, 'testExtension') }
        },
    partial: p === undefined
      ? undefined
      : { topicId: b(p, 'topicID'), groupId: b(p, 'groupID'), partialMessage: b(p, 'partialMessage'), partsMetadata: b(p, 'partsMetadata') },
    testExtension: own(r, 'testExtension') === undefined ? undefined : true
  }
}

export function encodeWithOracle (rpc: Rpc): Uint8Array {
  return pb.RPC.encode(toOracle(rpc)).finish()
}

/** hex of bytes, for readable golden comparisons */
export function hex (bytes: Uint8Array): string {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('')
}

export function fromHex (s: string): Uint8Array {
  const digits = s.replace(/\s+/g, '')
  return Uint8Array.from({ length: digits.length >> 1 }, (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16))
}
