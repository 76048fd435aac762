// The application-facing message: signature policies, validator results and the public Message
// shapes of `@libp2p/gossipsub`, so users switching between the two packages keep their types.

import type { WireMessage } from '../types.ts'
import type { PeerId, PublicKey } from '@libp2p/interface'

/** Producer signs and sets from/seqno/key; consumer rejects messages without a valid signature. */
export const StrictSign = 'StrictSign'
/** Producer omits from/seqno/signature/key; consumer rejects messages carrying any of them. */
export const StrictNoSign = 'StrictNoSign'
export type SignaturePolicy = typeof StrictSign | typeof StrictNoSign

/** The outcome of a topic validator (same string values as `@libp2p/gossipsub`'s enum). */
export const TopicValidatorResult = {
  /** deliver and forward */
  Accept: 'accept',
  /** neither deliver nor forward, no penalty */
  Ignore: 'ignore',
  /** neither deliver nor forward; the propagation source is penalised (P4) */
  Reject: 'reject'
} as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type TopicValidatorResult = typeof TopicValidatorResult[keyof typeof TopicValidatorResult]

export interface SignedMessage {
  type: 'signed'
  from: PeerId
  topic: string
  data: Uint8Array
  sequenceNumber: bigint
  signature: Uint8Array
  key: PublicKey
}

export interface UnsignedMessage {
  type: 'unsigned'
  topic: string
  data: Uint8Array
}

export type Message = SignedMessage | UnsignedMessage

export interface TopicValidatorFn {
  (peer: PeerId, message: Message): TopicValidatorResult | Promise<TopicValidatorResult>
}

/** Computes the spec'd message id (used on the wire in IHAVE/IWANT/IDONTWANT). */
export interface MsgIdFn {
  (msg: Message): Uint8Array | Promise<Uint8Array>
}

/** A message as it comes off the wire, as handed to `fastMsgIdFn` (`@libp2p/gossipsub`'s name). */
export type RawMessage = WireMessage

/** A cheap local id for early de-duplication, before the real id is computed. */
export interface FastMsgIdFn {
  (msg: RawMessage): string | number
}

/** Turns a message id into the string used in public events and `reportMessageValidationResult`. */
export interface MsgIdToStrFn {
  (msgId: Uint8Array): string
}

/** Transforms message data on the way in and out (e.g. snappy compression). */
export interface DataTransform {
  inboundTransform(topic: string, data: Uint8Array): Uint8Array
  outboundTransform(topic: string, data: Uint8Array): Uint8Array
}
