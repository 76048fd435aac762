// Message handling around the core: ids of received messages (fast ids, per-topic msgIdFn, content
// ids), inbound data transforms, the public Message form, and the validation of new messages.

import { dataInEncoded, encodeMessage } from '../codec/encode.ts'
import { ldSize } from '../codec/write.ts'
import { msgIdKey } from '../core/msgid.ts'
import { PublishError } from './errors.ts'
import { StrictNoSign, StrictSign, TopicValidatorResult } from './message.ts'
import { FastIdCache, contentIdKey, contentMsgId, defaultMsgId, idFromKey, msgIdToBase64 } from './msgid.ts'
import { seqnoToBigInt } from './sign.ts'
import { ValidationPipeline } from './validation.ts'
import type { Message, MsgIdFn, SignaturePolicy, TopicValidatorFn } from './message.ts'
import type { KnownId } from './msgid.ts'
import type { AdapterConfig } from './options.ts'
import type { SeqnoGenerator, Signer, Verifier, VerifyResult } from './sign.ts'
import type { MsgIdKey, PeerKey, RejectReason, RouterMessage, ValidationResult } from '../core/types.ts'
import type { DecodedMessage, WireMessage } from '../types.ts'
import type { PeerId } from '@libp2p/interface'

/** bytes of the longest `from` accepted: peer ids are ≤ 42 bytes (an inlined key) or a 34-byte sha256 */
const MAX_FROM_LENGTH = 128
const SEQNO_LENGTH = 8

export interface IntakeHooks {
  /** hands the verdict to the core */
  report(msg: RouterMessage, result: ValidationResult, pub: Message | undefined, reason?: RejectReason, source?: PeerKey): void
  /** asyncValidation: show an accepted-by-validators message to the app before the final verdict */
  dispatch(msg: RouterMessage, pub: Message, source: PeerId): void
  /** an error no caller can receive (asynchronous verification), for the service's error log */
  error(err: unknown): void
}

interface AsyncPending { msg: RouterMessage, at: number }

/** A message carrying its inbound-transformed data (see `data`). */
type Transformed = WireMessage & { inboundData?: Uint8Array | null }

function setContentId (target: Partial<KnownId>, key: MsgIdKey): void {
  target.idKey = key
  target.id = idFromKey(key)
}

/** Decoded messages to router messages, and 'validate' outputs to verdicts. */
export class Intake {
  private readonly cfg: AdapterConfig
  private readonly verifier: Verifier
  private readonly hooks: IntakeHooks
  readonly topicValidators = new Map<string, TopicValidatorFn>()
  readonly pipeline: ValidationPipeline
  private readonly fastIds: FastIdCache
  /**
   * asyncValidation: public id → message awaiting reportMessageValidationResult. Bound: maxPending
   * (oldest dropped); pruned on report and when older than seenTTL.
   */
  private readonly awaiting = new Map<string, AsyncPending>()
  private readonly maxPending: number
  private readonly seenTTL: number
  readonly msgIdToStr: (id: Uint8Array) => string

  constructor (cfg: AdapterConfig, verifier: Verifier, hooks: IntakeHooks, seenTTL: number, maxPending: number) {
    this.cfg = cfg
    this.verifier = verifier
    this.hooks = hooks
    this.seenTTL = seenTTL
    this.maxPending = maxPending
    this.fastIds = new FastIdCache(seenTTL, maxPending * 8)
    this.msgIdToStr = cfg.msgIdToStrFn ?? msgIdToBase64
    this.pipeline = new ValidationPipeline({
      concurrency: cfg.validationConcurrency,
      topicConcurrency: (topic) => cfg.topics[topic]?.validationConcurrency,
      maxQueued: maxPending,
      timeout: cfg.validationTimeout
    })
  }

  policy (topic: string): SignaturePolicy {
    return this.cfg.topics[topic]?.signaturePolicy ?? this.cfg.globalSignaturePolicy
  }

  /**
   * StrictSign: a `from` longer than any peer id or a seqno not of 8 bytes (docs/protocol.md §3) makes the
   * message invalid. Checked before its id is computed: the default id is from ‖ seqno, as long.
   */
  malformed (m: WireMessage): boolean {
    if ((m.from === undefined || m.from.length <= MAX_FROM_LENGTH) && (m.seqno === undefined || m.seqno.length === SEQNO_LENGTH)) { return false }
    return this.policy(m.topic) === StrictSign
  }

  msgIdFn (topic: string): MsgIdFn | undefined {
    return this.cfg.topics[topic]?.msgIdFn ?? this.cfg.msgIdFn
  }

  /** The message's id: from the fast-id cache, the topic's msgIdFn, a content hash, or from ‖ seqno. */
  routerMessage (m: DecodedMessage, now: number): RouterMessage | Promise<RouterMessage> {
    const fast = this.cfg.fastMsgIdFn?.(m)
    // the decoded message becomes the router message in place: no copy, and its transform cache stays
    const r = m as DecodedMessage & Partial<RouterMessage>
    if (fast !== undefined) {
      const known = this.fastIds.get(fast, now)
      if (known !== undefined) {
        r.id = known.id
        r.idKey = known.idKey
        return r as RouterMessage
      }
    }
    const named = this.identify(r, m)
    const finish = (): RouterMessage => {
      if (fast !== undefined) { this.fastIds.set(fast, { id: r.id as Uint8Array, idKey: r.idKey as MsgIdKey }, now) }
      return r as RouterMessage
    }
    return named instanceof Promise ? named.then(finish) : finish()
  }

  /** Sets `target`'s id and id key: from the topic's msgIdFn, a content hash, or from ‖ seqno. */
  private identify (target: Partial<KnownId>, m: WireMessage, pub?: Message): void | Promise<void> {
    const fn = this.msgIdFn(m.topic)
    if (fn === undefined && this.policy(m.topic) === StrictNoSign) {
      // the content id's key comes straight from the hash, and the bytes from the key
      const key = contentIdKey(this.data(m) ?? m.data)
      if (typeof key !== 'string') { return key.then(k => { setContentId(target, k) }) }
      setContentId(target, key)
      return
    }
    const id = fn === undefined ? defaultMsgId(m) : this.userId(fn, m, pub)
    const set = (id: Uint8Array): void => {
      target.id = id
      target.idKey = msgIdKey(id)
    }
    return id instanceof Promise ? id.then(set) : set(id)
  }

  /** The topic's msgIdFn applied to the public form of m. */
  private userId (fn: MsgIdFn, m: WireMessage, pub?: Message): Uint8Array | Promise<Uint8Array> {
    const p = pub ?? this.toPublic(m)
    // a message that cannot be read is rejected in validation; any stable id will do until then
    return p === undefined ? contentMsgId((m as DecodedMessage).raw ?? m.data) : fn(p)
  }

  /** Builds one of our own messages: transformed, signed under StrictSign, encoded once, with its id. */
  async own (topic: string, data: Uint8Array, signer: Signer, seqno: SeqnoGenerator): Promise<{ msg: RouterMessage, pub: Message }> {
    const max = this.cfg.topics[topic]?.maxMessageSize
    if (max !== undefined && max > 0 && data.length > max) { throw new PublishError('MessageTooLarge') }
    const wire: WireMessage = { topic, data: this.cfg.dataTransform?.outboundTransform(topic, data) ?? data }
    let pub: Message = { type: 'unsigned', topic, data }
    if (this.policy(topic) === StrictSign) {
      await signer.sign(wire, seqno.take())
      const { peerId, publicKey } = signer
      pub = { type: 'signed', from: peerId, topic, data, sequenceNumber: seqnoToBigInt(wire.seqno as Uint8Array), signature: wire.signature as Uint8Array, key: publicKey }
    }
    const raw = encodeMessage(wire)
    // a message no frame can carry would reach nobody: refused before anything records it
    if (ldSize(1, raw.length) > this.cfg.maxTransmitSize) { throw new PublishError('MessageTooLarge') }
    // the cached message views its data in its own encoding: the caller's buffer is not kept
    // alive for the cache's windows (a young buffer dies cheaply, one promoted to the old space does not)
    const msg = { ...wire, data: dataInEncoded(raw, wire), id: undefined as unknown as Uint8Array, idKey: '', raw }
    await this.identify(msg, wire, pub)
    return { msg, pub }
  }

  /** The application's view of a wire message (inbound transform applied); undefined if unreadable. */
  toPublic (m: WireMessage): Message | undefined {
    const data = this.data(m)
    if (data === undefined) { return undefined }
    if (m.from === undefined || m.seqno === undefined || m.signature === undefined) {
      return { type: 'unsigned', topic: m.topic, data }
    }
    const author = this.verifier.author(m.from, m.key)
    if (author === undefined) { return undefined }
    return { type: 'signed', from: author.peerId, topic: m.topic, data, sequenceNumber: seqnoToBigInt(m.seqno), signature: m.signature, key: author.publicKey }
  }

  /** inbound-transformed data, or undefined if the transform throws */
  private data (m: WireMessage): Uint8Array | undefined {
    const t = this.cfg.dataTransform
    const raw = m.data ?? new Uint8Array(0)
    if (t === undefined) { return raw }
    // computed at most once per message, and kept on it (null: the transform threw). A property
    // rather than a WeakMap entry: every GC has to trace each weak entry as an ephemeron
    const tm = m as Transformed
    if (tm.inboundData === undefined) {
      try {
        tm.inboundData = t.inboundTransform(m.topic, raw)
      } catch {
        tm.inboundData = null
      }
    }
    return tm.inboundData ?? undefined
  }

  /**
   * Handles the core's 'validate': policy and signature, size, then the topic validator. Runs
   * synchronously (inside the driver's drain) unless a key or validator is asynchronous.
   */
  validate (msg: RouterMessage, source: PeerId, now: number): void {
    const checked = this.verifier.verify(msg, this.policy(msg.topic))
    if (checked instanceof Promise) {
      checked.then(c => { this.afterVerify(msg, source, now, c) }, () => { this.hooks.report(msg, 'reject', undefined, 'invalid-signature') })
        // nobody awaits this promise: a throw would be an unhandled rejection and stop the process
        .catch(err => {
          this.hooks.error(err)
          this.hooks.report(msg, 'ignore', undefined)
        })
    } else {
      this.afterVerify(msg, source, now, checked)
    }
  }

  private afterVerify (msg: RouterMessage, source: PeerId, now: number, checked: VerifyResult): void {
    if (!checked.ok) {
      this.hooks.report(msg, 'reject', undefined, checked.reason)
      return
    }
    const pub = this.toPublic(msg)
    if (pub === undefined) {
      this.hooks.report(msg, 'reject', undefined, 'validator-reject')
      return
    }
    const max = this.cfg.topics[msg.topic]?.maxMessageSize
    if (max !== undefined && max > 0 && pub.data.length > max) {
      this.hooks.report(msg, 'reject', undefined, 'too-large')
      return
    }
    const validator = this.topicValidators.get(msg.topic)
    if (validator === undefined) {
      // the common case, on every message: no closure
      this.verdict(msg, pub, source, now, TopicValidatorResult.Accept)
    } else {
      this.pipeline.run(validator, source, pub, result => { this.verdict(msg, pub, source, now, result) })
    }
  }

  private verdict (msg: RouterMessage, pub: Message, source: PeerId, now: number, result: TopicValidatorResult): void {
    if (result === TopicValidatorResult.Accept && this.cfg.asyncValidation) {
      this.awaitApp(msg, now)
      this.hooks.dispatch(msg, pub, source)
    } else {
      this.hooks.report(msg, result, pub, result === TopicValidatorResult.Reject ? 'validator-reject' : undefined)
    }
  }

  /**
   * asyncValidation: the app's verdict on the message it was shown, with the peer it names as the
   * source (credited or penalised, not forwarded to); false if the message is no longer awaited.
   */
  appVerdict (msgId: string, result: TopicValidatorResult, source: string): boolean {
    const pending = this.awaiting.get(msgId)
    if (pending === undefined) { return false }
    this.awaiting.delete(msgId)
    this.hooks.report(pending.msg, result, undefined, result === TopicValidatorResult.Reject ? 'validator-reject' : undefined, source)
    return true
  }

  isAwaited (msgId: string): boolean { return this.awaiting.has(msgId) }

  private awaitApp (msg: RouterMessage, now: number): void {
    for (const [k, p] of this.awaiting) {
      if (p.at + this.seenTTL > now && this.awaiting.size < this.maxPending) { break }
      this.awaiting.delete(k)
    }
    this.awaiting.set(this.msgIdToStr(msg.id), { msg, at: now })
  }
}
