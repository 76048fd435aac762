// `meshsub/types`: the names `@libp2p/gossipsub/types` exports — id and key aliases, the message-id
// function types, PublishOpts and the reason vocabularies. Definitions only.

import type { TopicValidatorResult } from './adapter/message.ts'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export type MsgIdStr = string
export type PeerIdStr = string
export type TopicStr = string
export type IPStr = string

export type { AddrInfo } from './adapter/options.ts'
export type { FastMsgIdFn, MsgIdToStrFn, MsgIdFn, DataTransform } from './adapter/message.ts'
export type { PublishOpts } from './adapter/events.ts'

/** the signature policies by name (the main entry exports the same strings as StrictSign/StrictNoSign) */
export const SignaturePolicy = { StrictSign: 'StrictSign', StrictNoSign: 'StrictNoSign' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type SignaturePolicy = typeof SignaturePolicy[keyof typeof SignaturePolicy]

/** how our own messages are authored */
export const PublishConfigType = { Signing: 0, Anonymous: 1 } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type PublishConfigType = typeof PublishConfigType[keyof typeof PublishConfigType]

export type PublishConfig =
  | { type: typeof PublishConfigType.Signing, author: PeerId, key: Uint8Array, privateKey: PrivateKey }
  | { type: typeof PublishConfigType.Anonymous }

/** why a message was not accepted */
export const RejectReason = { Error: 'error', Ignore: 'ignore', Reject: 'reject', Blacklisted: 'blacklisted' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type RejectReason = typeof RejectReason[keyof typeof RejectReason]

/** why a message failed the router's own checks */
export const ValidateError = {
  InvalidSignature: 'invalid_signature',
  InvalidSeqno: 'invalid_seqno',
  InvalidPeerId: 'invalid_peerid',
  SignaturePresent: 'signature_present',
  SeqnoPresent: 'seqno_present',
  FromPresent: 'from_present',
  TransformFailed: 'transform_failed'
} as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type ValidateError = typeof ValidateError[keyof typeof ValidateError]

export type RejectReasonObj =
  | { reason: typeof RejectReason.Error, error: ValidateError }
  | { reason: Exclude<RejectReason, typeof RejectReason.Error> }

/** the outcome of receiving a message */
export const MessageStatus = { duplicate: 'duplicate', invalid: 'invalid', valid: 'valid' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type MessageStatus = typeof MessageStatus[keyof typeof MessageStatus]

export interface MessageId {
  msgId: Uint8Array
  msgIdStr: MsgIdStr
}

/** The reject reason of a validator's Ignore or Reject. */
export function rejectReasonFromAcceptance (acceptance: Exclude<TopicValidatorResult, 'accept'>): typeof RejectReason.Ignore | typeof RejectReason.Reject {
  if (acceptance === 'ignore') { return RejectReason.Ignore }
  if (acceptance === 'reject') { return RejectReason.Reject }
  throw new TypeError(`not a rejecting validation result: ${String(acceptance)}`)
}
