// The core's 'send' outputs as frames in a peer's send queue: encoded (messages spliced from their
// encoded bytes), split to the frame limit, PX records attached, IWANT replies one per frame.

import { splitRpc } from '../codec/split.ts'
import { Priority } from '../core/types.ts'
import type { TopicOptions } from './options.ts'
import type { PublishWait } from './publish-wait.ts'
import type { RecordCache } from './px.ts'
import type { SendQueue } from './send-queue.ts'
import type { SplitResult } from '../codec/split.ts'
import type { OutRpc, PeerKey, PriorityClass } from '../core/types.ts'
import type { ControlMessage, Rpc } from '../types.ts'

export interface OutboundCounters {
  /** messages too large for any frame, not sent */
  oversized: number
  /** frames the send queues refused */
  dropped: number
  /** encode/split failures */
  errors: number
  /**
   * IDONTWANT ids not sent to a peer whose send queue is backed up (see `SendQueue.backedUp`):
   * one per message we receive, they would otherwise crowd the queue's room for control out into
   * the app's own publishes; IDONTWANT only saves the peer bandwidth, so none is owed
   */
  idontwantSkipped: number
}

/**
 * The frames of a service's last message-only RPC. The core hands one OutRpc object to every
 * recipient of a forward or publish, one after the other, so it is split and encoded once, not once
 * per peer. One entry is enough for that and costs no map operation (a WeakMap entry per message
 * also had to be traced as an ephemeron by every GC). Bound: one RPC's frames; cleared on stop.
 */
export class FrameMemo {
  rpc: OutRpc | undefined
  split: SplitResult | undefined

  clear (): void {
    this.rpc = undefined
    this.split = undefined
  }
}

/**
 * Encodes one output RPC and queues its frames; returns false if any frame was dropped. Frames of
 * the app's own publish (`own`, with the recipient `peer`) go through its wait: held, not dropped,
 * when the queue is full.
 */
export function queueRpc (
  queue: SendQueue, rpc: OutRpc, priority: PriorityClass, now: number, maxSize: number,
  records: RecordCache, toKey: (bytes: Uint8Array) => PeerKey | undefined, counters: OutboundCounters, memo: FrameMemo,
  own?: PublishWait, peer?: PeerKey
): boolean {
  if (rpc.control !== undefined && rpc.control.idontwant.length > 0 && queue.backedUp) {
    const rest = withoutIDontWant(rpc, counters)
    if (rest === undefined) { return true }
    rpc = rest
  }
  records.attach(rpc.control, toKey)
  const messages = rpc.messages ?? []
  if (priority === Priority.Gossip && messages.length > 0) {
    // one frame per IWANT reply so an IDONTWANT can withdraw each one
    let ok = true
    for (const m of messages) {
      ok = queueFrames(queue, { subscriptions: [], messages: [m] }, priority, now, maxSize, counters, m.idKey) && ok
    }
    if (rpc.control !== undefined || (rpc.subscriptions?.length ?? 0) > 0) {
      ok = queueFrames(queue, { subscriptions: rpc.subscriptions ?? [], messages: [], control: rpc.control }, Priority.Control, now, maxSize, counters) && ok
    }
    return ok
  }
  const wire: Rpc = { subscriptions: rpc.subscriptions ?? [], messages, control: rpc.control, testExtension: rpc.testExtension }
  // control (PX records attached per peer), subscriptions and extensions make an RPC peer-specific
  const shared = rpc.control === undefined && rpc.subscriptions === undefined && rpc.testExtension === undefined && messages.length > 0
  if (!shared) { return queueFrames(queue, wire, priority, now, maxSize, counters) }
  const split = sharedSplit(rpc, wire, maxSize, counters, memo)
  if (split === undefined) { return false }
  if (own !== undefined && peer !== undefined) { return holdFrames(own, queue, peer, split, now, counters) }
  return pushFrames(queue, split, priority, now, counters)
}

/** `rpc` without its IDONTWANT (ids counted), or undefined when nothing else is left. */
function withoutIDontWant (rpc: OutRpc, counters: OutboundCounters): OutRpc | undefined {
  const c = rpc.control as ControlMessage
  for (const d of c.idontwant) { counters.idontwantSkipped += d.messageIds.length }
  const rest = c.ihave.length + c.iwant.length + c.graft.length + c.prune.length > 0 || c.extensions !== undefined
  const control = rest ? { ...c, idontwant: [] } : undefined
  if (control === undefined && (rpc.messages?.length ?? 0) === 0 && (rpc.subscriptions?.length ?? 0) === 0 && rpc.testExtension !== true) { return undefined }
  return { ...rpc, control }
}

/** The frames of an RPC sent alike to several peers: split once, kept in the memo. */
function sharedSplit (rpc: OutRpc, wire: Rpc, maxSize: number, counters: OutboundCounters, memo: FrameMemo): SplitResult | undefined {
  if (memo.rpc === rpc && memo.split !== undefined) { return memo.split }
  const split = splitFrames(wire, maxSize, counters)
  if (split === undefined) { return undefined }
  memo.rpc = rpc
  memo.split = split
  return split
}

/** An own publish's frames go through its wait: held, not dropped, when the queue is full. */
function holdFrames (own: PublishWait, queue: SendQueue, peer: PeerKey, split: SplitResult, now: number, counters: OutboundCounters): boolean {
  counters.oversized += split.oversized.length
  for (const frame of split.frames) { own.push(queue, peer, frame, now) }
  return true
}

function queueFrames (queue: SendQueue, rpc: Rpc, priority: PriorityClass, now: number, maxSize: number, counters: OutboundCounters, idKey?: string): boolean {
  const split = splitFrames(rpc, maxSize, counters)
  return split !== undefined && pushFrames(queue, split, priority, now, counters, idKey)
}

/** whole frames (length prefix included, written in place: no second copy), or undefined on failure */
function splitFrames (rpc: Rpc, maxSize: number, counters: OutboundCounters): SplitResult | undefined {
  try {
    return splitRpc(rpc, maxSize, { lengthPrefixed: true })
  } catch {
    counters.errors++
    return undefined
  }
}

function pushFrames (queue: SendQueue, split: SplitResult, priority: PriorityClass, now: number, counters: OutboundCounters, idKey?: string): boolean {
  counters.oversized += split.oversized.length
  let ok = true
  for (const frame of split.frames) {
    if (!queue.push(frame, priority, now, idKey)) {
      counters.dropped++
      ok = false
    }
  }
  return ok
}

/** The send class of forwards per topic with a `priority` option. */
export function topicClasses (topics: Record<string, TopicOptions>): Map<string, PriorityClass> {
  const out = new Map<string, PriorityClass>()
  for (const [topic, t] of Object.entries(topics)) {
    if (t.priority === 'high') { out.set(topic, Priority.Publish) }
    if (t.priority === 'low') { out.set(topic, Priority.Gossip) }
  }
  return out
}

/** A forward in a topic with its own priority moves to that class. */
export function forwardClass (classes: Map<string, PriorityClass>, rpc: OutRpc, priority: PriorityClass): PriorityClass {
  const topic = rpc.messages?.[0]?.topic
  if (priority !== Priority.Forward || classes.size === 0 || topic === undefined) { return priority }
  return classes.get(topic) ?? priority
}
