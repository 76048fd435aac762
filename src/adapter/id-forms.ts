// The two default id forms of a signed message on the wire — the spec's from ‖ seqno (meshsub, go)
// and @libp2p/gossipsub's protobuf(public key) ‖ seqno — and the per-peer translation of control ids.

import type { ControlIHave, ControlMessage } from '../types.ts'
import type { PeerId, PeerStore } from '@libp2p/interface'

/**
 * `spec`: from ‖ seqno (the spec, go-libp2p-pubsub, meshsub's own ids). `key`: the author's
 * protobuf-encoded public key ‖ seqno (@libp2p/gossipsub's default under StrictSign).
 */
export type IdForm = 'spec' | 'key'

/** A peer's form as the adapter knows it: learned from its control ids, guessed until then. */
export interface IdFormPeer {
  /** undefined: not known yet (IHAVE of spec-form ids is withheld from the peer until it is) */
  idForm: IdForm | undefined
}

const SEQNO = 8
/** peer ids inline a public key of at most 42 bytes (identity multihash); longer keys are hashed */
const MAX_INLINE = 42

/**
 * The protobuf PublicKey at the start of a key-form id: `08 type 12 len key` followed by the 8-byte
 * seqno, with exactly that length. Returns the key's byte length, or -1 when `id` is not key-form.
 */
function keyLength (id: Uint8Array): number {
  if (id.length < 4 + SEQNO || id[0] !== 0x08 || id[1] > 3 || id[2] !== 0x12) { return -1 }
  let n = id[3]
  let header = 4
  if (n >= 0x80) {
    // an RSA or ECDSA key: a two-byte length
    if (id.length < 5 + SEQNO || id[4] >= 0x80) { return -1 }
    n = (n & 0x7f) | (id[4] << 7)
    header = 5
  }
  return id.length === header + n + SEQNO ? header + n : -1
}

/** The form an id has, if it is one of the two (other ids, e.g. content hashes, give undefined). */
export function idFormOf (id: Uint8Array): IdForm | undefined {
  if (keyLength(id) > 0) { return 'key' }
  // from is an identity multihash of an inlined key (00 len key) or a sha256 one (12 20 digest)
  if (id.length > 2 + SEQNO && id[0] === 0x00 && id[1] === id.length - 2 - SEQNO && id[1] <= MAX_INLINE) { return 'spec' }
  if (id.length === 34 + SEQNO && id[0] === 0x12 && id[1] === 0x20) { return 'spec' }
  return undefined
}

/** The spec form of a key-form id whose key peer ids inline, else undefined. */
export function specFromKey (id: Uint8Array): Uint8Array | undefined {
  const n = keyLength(id)
  if (n < 0 || n > MAX_INLINE) { return undefined }
  const out = new Uint8Array(id.length + 2)
  out[1] = n
  out.set(id, 2)
  return out
}

/** The key form of a spec-form id whose `from` inlines the key, else undefined (a hashed `from`). */
export function keyFromSpec (id: Uint8Array): Uint8Array | undefined {
  if (id[0] !== 0x00 || id.length <= 2 + SEQNO || id[1] !== id.length - 2 - SEQNO) { return undefined }
  const key = id.subarray(2)
  return keyLength(key) > 0 ? key : undefined
}

/**
 * A peer's stream is up: until its ids show its form, guess it from the protocol and, for peers on
 * ≤ 1.2, from the agent identify stored (looked up once; a failed lookup leaves the form unknown).
 */
export function guessPeerForm (peer: IdFormPeer & { id: PeerId }, protocol: string, peerStore: PeerStore): void {
  if (peer.idForm !== undefined) { return }
  peer.idForm = guessIdForm(protocol, undefined)
  if (peer.idForm !== undefined) { return }
  peerStore.get(peer.id).then(p => {
    const agent = p.metadata.get('AgentVersion')
    if (agent !== undefined) { peer.idForm ??= guessIdForm(protocol, new TextDecoder().decode(agent)) }
  }, () => {})
}

export interface IdFormsOptions {
  /** false when a global msgIdFn is set: ids are the application's, never translated */
  enabled: boolean
  /** true for topics whose messages use the default id (StrictSign, no msgIdFn of their own) */
  defaultIds(topic: string): boolean
}

/**
 * Translates the ids in control messages between a peer's form and ours (spec). Stateless apart from
 * each peer's one `idForm` field, which lives and dies with the peer's entry: nothing here grows.
 */
export class IdForms {
  private readonly opts: IdFormsOptions

  constructor (opts: IdFormsOptions) {
    this.opts = opts
  }

  /**
   * Rewrites a received control message in place (it is freshly decoded and ours): key-form ids become
   * spec form; key-form IHAVE ids that cannot (a hashed key) are dropped, so no promise is made that
   * our own ids could never keep. The form of the first IHAVE or IDONTWANT id that has one is the
   * peer's form from now on (IWANT ids only echo ours).
   */
  read (peer: IdFormPeer, control: ControlMessage): void {
    if (!this.opts.enabled) { return }
    for (const ih of control.ihave) {
      if (this.opts.defaultIds(ih.topic)) { ih.messageIds = this.toSpec(peer, ih.messageIds, true, true) }
    }
    for (const iw of control.iwant) { iw.messageIds = this.toSpec(peer, iw.messageIds, false, false) }
    for (const dw of control.idontwant) { dw.messageIds = this.toSpec(peer, dw.messageIds, true, false) }
  }

  private toSpec (peer: IdFormPeer, ids: Uint8Array[], learn: boolean, dropUnmapped: boolean): Uint8Array[] {
    let dropped = false
    for (let i = 0; i < ids.length; i++) {
      const form = idFormOf(ids[i])
      if (form === undefined) { continue }
      if (learn) {
        peer.idForm = form
        learn = false
      }
      if (form === 'spec') { continue }
      const spec = specFromKey(ids[i])
      if (spec !== undefined) {
        ids[i] = spec
      } else if (dropUnmapped) {
        ids[i] = EMPTY
        dropped = true
      }
    }
    return dropped ? ids.filter(id => id !== EMPTY) : ids
  }

  /**
   * The control message as `peer` should get it: unchanged for spec-form peers; in key form for
   * key-form peers (IHAVE ids with no key form left out); for a peer whose form is not known yet,
   * IHAVE without spec-form ids, since a peer of the other form would hold the promise it makes
   * against us. Never mutates `control` (the core may send one to several peers).
   */
  write (peer: IdFormPeer, control: ControlMessage): ControlMessage {
    const form = peer.idForm
    if (!this.opts.enabled || form === 'spec' || (form === undefined && control.ihave.length === 0)) { return control }
    const ihave: ControlIHave[] = []
    for (const ih of control.ihave) {
      if (!this.opts.defaultIds(ih.topic)) {
        ihave.push(ih)
        continue
      }
      const ids = form === 'key' ? toKey(ih.messageIds, true) : ih.messageIds.filter(id => idFormOf(id) !== 'spec')
      if (ids.length > 0) { ihave.push({ topic: ih.topic, messageIds: ids }) }
    }
    if (form === undefined) { return { ...control, ihave } }
    return {
      ...control,
      ihave,
      iwant: control.iwant.map(iw => ({ messageIds: toKey(iw.messageIds, false) })),
      idontwant: control.idontwant.map(dw => ({ messageIds: toKey(dw.messageIds, false) }))
    }
  }
}

const EMPTY = new Uint8Array(0)

/** spec-form ids in key form; others kept, or (`dropUnmapped`) spec-form ids with no key form left out */
function toKey (ids: Uint8Array[], dropUnmapped: boolean): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const id of ids) {
    const key = keyFromSpec(id)
    if (key !== undefined) {
      out.push(key)
    } else if (!dropUnmapped || idFormOf(id) !== 'spec') {
      out.push(id)
    }
  }
  return out
}

/** The form a peer's software most likely speaks before it has sent an id: from its protocol and agent. */
export function guessIdForm (protocol: string, agentVersion: string | undefined): IdForm | undefined {
  // @libp2p/gossipsub 17 speaks at most /meshsub/1.2.0; meshsub, go ≥ 0.15 and rust ≥ 0.49 speak 1.3.0
  if (protocol === '/meshsub/1.3.0') { return 'spec' }
  if (agentVersion === undefined) { return undefined }
  // js-libp2p's default agent is `libp2p/<version> <platform>/<version>`: a js peer on ≤ 1.2 is most
  // likely @libp2p/gossipsub (a meshsub peer reads both forms, so a wrong guess costs nothing there)
  return /^(js-)?libp2p\//.test(agentVersion) ? 'key' : 'spec'
}
