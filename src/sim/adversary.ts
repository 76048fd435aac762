// The adversary library: each hostile behaviour is a small Behaviour wrapped around a real router
// core (rewriting what it sends or receives, or injecting crafted RPCs on a tick); they compose.

import { msgIdKey } from '../core/msgid.ts'
import { SeededRng } from '../core/rng.ts'
import { emptyControl } from '../types.ts'
import type { Behaviour, SimNode } from './network.ts'
import type { InRpc, OutRpc, PeerKey, RouterMessage } from '../core/types.ts'
import type { ControlMessage } from '../types.ts'

/** The most a uint64 backoff field can say (seconds). */
export const MAX_BACKOFF_SECONDS = 2 ** 64 - 1

function withoutMessages (rpc: OutRpc, keep: (m: RouterMessage) => boolean): OutRpc | null {
  const messages = rpc.messages?.filter(keep)
  const out: OutRpc = { ...rpc, messages }
  return (messages?.length ?? 0) === 0 && out.control === undefined && (out.subscriptions?.length ?? 0) === 0 ? null : out
}

function control (parts: Partial<ControlMessage>): ControlMessage {
  return { ...emptyControl(), ...parts }
}

/** Sends one RPC to every peer (receivers only read what they get, so one object serves all). */
function toAllPeers (node: SimNode, rpc: OutRpc): void {
  for (const peer of node.links.keys()) { node.sim.inject(node, peer, rpc) }
}

/** `n` fresh ids that no message has (cheap: only the counter differs). */
function bogusIds (node: SimNode, tag: string, n: number): Uint8Array[] {
  return Array.from({ length: n }, () => node.sim.freshId(tag))
}

/** Accepts GRAFTs and keeps its mesh, but never forwards a message nor advertises one (IHAVE). */
export function squatter (): Behaviour {
  return {
    name: 'squatter',
    onSend: (_n, _to, rpc) => {
      const c = rpc.control
      const out = withoutMessages(rpc, () => false)
      if (out === null || c === undefined || c.ihave.length === 0) { return out }
      const ctl = { ...c, ihave: [] }
      return { ...out, control: ctl }
    }
  }
}

/** Forwards everything except messages published by `target` (and drops their gossip). */
export function censor (target: PeerKey): Behaviour {
  const targetIds = new Set<string>()
  const from = msgIdKey(new TextEncoder().encode(target))
  const isTarget = (id: Uint8Array): boolean => targetIds.has(msgIdKey(id))
  return {
    name: `censor(${target})`,
    onReceive: (_n, _from, rpc) => {
      for (const m of rpc.messages) {
        if (m.from !== undefined && msgIdKey(m.from) === from) { targetIds.add(m.idKey) }
      }
      return rpc
    },
    onSend: (_n, _to, rpc) => {
      const out = withoutMessages(rpc, m => !targetIds.has(m.idKey))
      const c = out?.control
      if (out === null || c === undefined || c.ihave.length === 0) { return out }
      return { ...out, control: { ...c, ihave: c.ihave.map(x => ({ ...x, messageIds: x.messageIds.filter(id => !isTarget(id)) })) } }
    }
  }
}

/** Drops each outgoing message with probability `p`. */
export function degrade (p: number, seed = 1): Behaviour {
  const rng = new SeededRng(seed)
  return { name: `degrade(${p})`, onSend: (_n, _to, rpc) => withoutMessages(rpc, () => rng.next() >= p) }
}

/** Answers every PRUNE of `topic` with a GRAFT at once, and re-GRAFTs every pruning peer each tick. */
export function regraftInBackoff (topic: string, tickMs = 1000): Behaviour {
  const pruners = new Set<PeerKey>()
  const graft = (): OutRpc => ({ control: control({ graft: [{ topic }] }) })
  return {
    name: 'regraft',
    tickMs,
    onReceive: (node, from, rpc) => {
      if (rpc.control?.prune.some(p => p.topic === topic) === true) {
        pruners.add(from)
        node.sim.inject(node, from, graft())
      }
      return rpc
    },
    onTick: (node) => {
      for (const p of pruners) {
        if (node.links.has(p)) { node.sim.inject(node, p, graft()) } else { pruners.delete(p) }
      }
    }
  }
}

/** Behaves as `inner` only from virtual time `from` on: honest before (covert), hostile after. */
export function after (from: number, inner: Behaviour): Behaviour {
  const on = (n: SimNode): boolean => n.sim.now >= from
  const b: Behaviour = { name: `after(${from},${inner.name})`, tickMs: inner.tickMs }
  const { onSend, onReceive, onTick } = inner
  if (onSend !== undefined) { b.onSend = (n, to, rpc) => on(n) ? onSend(n, to, rpc) : rpc }
  if (onReceive !== undefined) { b.onReceive = (n, f, rpc) => on(n) ? onReceive(n, f, rpc) : rpc }
  if (onTick !== undefined) { b.onTick = (n) => { if (on(n)) { onTick(n) } } }
  return b
}

/** Advertises `perTick` ids that do not exist to every peer, each tick. */
export function ihaveSpammer (topic: string, perTick: number, tickMs = 1000): Behaviour {
  return {
    name: 'ihave-spam',
    tickMs,
    onTick: (node) => { toAllPeers(node, { control: control({ ihave: [{ topic, messageIds: bogusIds(node, 'i', perTick) }] }) }) }
  }
}

/** Asks every peer, each tick, `repeat` times for the ids it has seen advertised or delivered. */
export function iwantRepeater (repeat: number, maxIds = 64, tickMs = 1000): Behaviour {
  let ids: Uint8Array[] = []
  const learn = (id: Uint8Array): void => {
    ids.push(id)
    if (ids.length > maxIds) { ids = ids.slice(-maxIds) }
  }
  return {
    name: 'iwant-repeat',
    tickMs,
    onReceive: (_n, _f, rpc) => {
      for (const m of rpc.messages) { learn(m.id) }
      for (const h of rpc.control?.ihave ?? []) { for (const id of h.messageIds) { learn(id) } }
      return rpc
    },
    onTick: (node) => {
      if (ids.length === 0) { return }
      const iwant = Array.from({ length: repeat }, () => ({ messageIds: ids }))
      toAllPeers(node, { control: control({ iwant }) })
    }
  }
}

/** Sends IDONTWANT for `perTick` ids that do not exist to every peer, each tick. */
export function idontwantFlooder (perTick: number, tickMs = 1000): Behaviour {
  return {
    name: 'idontwant-flood',
    tickMs,
    onTick: (node) => { toAllPeers(node, { control: control({ idontwant: [{ messageIds: bogusIds(node, 'd', perTick) }] }) }) }
  }
}

/** Sends `perTick` messages that every validator rejects to every peer, each tick. */
export function invalidSpammer (topic: string, perTick: number, size = 64, tickMs = 1000): Behaviour {
  const data = new Uint8Array(size)
  return {
    name: 'invalid-spam',
    tickMs,
    onTick: (node) => {
      const from = new TextEncoder().encode(node.key)
      const messages = bogusIds(node, 'bad', perTick).map((id): RouterMessage => {
        const m: RouterMessage = { id, idKey: msgIdKey(id), topic, data, from }
        node.sim.invalid.add(m.idKey)
        return m
      })
      toAllPeers(node, { messages })
    }
  }
}

/** Subscribes to `perTick` fresh topics at every peer, each tick. */
export function subscriptionFlooder (perTick: number, tickMs = 1000): Behaviour {
  let n = 0
  return {
    name: 'sub-flood',
    tickMs,
    onTick: (node) => {
      const subscriptions = Array.from({ length: perTick }, () => ({ subscribe: true, topic: `flood-${node.key}-${n++}` }))
      toAllPeers(node, { subscriptions })
    }
  }
}

/** Sends PRUNEs of `topic` carrying `peers` PX records of peers that do not exist, each tick. */
export function pxSpammer (topic: string, peers: number, tickMs = 1000): Behaviour {
  const enc = new TextEncoder()
  let n = 0
  return {
    name: 'px-spam',
    tickMs,
    onTick: (node) => {
      const records = Array.from({ length: peers }, () => ({ peerId: enc.encode(`ghost-${node.key}-${n++}`) }))
      toAllPeers(node, { control: control({ prune: [{ topic, backoff: 60, peers: records }] }) })
    }
  }
}

/** Answers every GRAFT with a PRUNE whose backoff is 2^64−1 s, and sends such PRUNEs each tick. */
export function hostilePrune (topic: string, tickMs = 1000): Behaviour {
  const prune = (): OutRpc => ({ control: control({ prune: [{ topic, peers: [], backoff: MAX_BACKOFF_SECONDS }] }) })
  return {
    name: 'hostile-prune',
    tickMs,
    onReceive: (node, from, rpc: InRpc) => {
      if (rpc.control?.graft.some(g => g.topic === topic) === true) { node.sim.inject(node, from, prune()) }
      return rpc
    },
    onTick: (node) => { toAllPeers(node, prune()) }
  }
}

/** Never forwards in `silentTopic`'s mesh while forwarding honestly (earning P2) elsewhere. */
export function firstDeliveryGamer (silentTopic: string): Behaviour {
  return {
    name: `first-delivery-gamer(${silentTopic})`,
    onSend: (_n, _to, rpc) => withoutMessages(rpc, m => m.topic !== silentTopic)
  }
}

/** The IP that colocated sybils share (P6). */
export const SYBIL_IP = '203.0.113.7'

/** Every behaviour of the library by name, for scenarios written as data. */
export type BehaviourName =
  | 'squatter' | 'censor' | 'degrade' | 'regraft' | 'ihave-spam' | 'iwant-repeat' | 'idontwant-flood'
  | 'invalid-spam' | 'sub-flood' | 'px-spam' | 'hostile-prune' | 'first-delivery-gamer'
