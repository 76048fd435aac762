// IDONTWANT (v1.2): telling mesh peers at once that we have a large message, and remembering,
// within caps and for idontwantRetentionTicks heartbeats, the ids each peer does not want.

import { TimeCache } from '../../cache/time-cache.ts'
import { emptyControl } from '../../types.ts'
import { msgIdKey } from '../msgid.ts'
import { Priority } from '../types.ts'
import type { ControlIDontWant } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'
import type { OutRpc, PeerKey, RouterMessage } from '../types.ts'

/**
 * Sends IDONTWANT for `msg` right away (not piggybacked) to the v1.2+ mesh peers of its topic
 * other than `except` and those in `skip`, when its data is at least idontwantMinDataSize bytes.
 */
export function sendIDontWant (s: Pick<RouterState, 'config' | 'mesh' | 'peers' | 'out'>, msg: RouterMessage, except: PeerKey | null, skip?: ReadonlySet<PeerKey>): void {
  if ((msg.data?.length ?? 0) < s.config.idontwantMinDataSize) { return }
  const mesh = s.mesh.meshOf(msg.topic)
  if (mesh === undefined || mesh.size === 0) { return }
  let rpc: OutRpc | undefined
  for (const key of mesh) {
    if (key === except || skip?.has(key) === true || s.peers.get(key)?.features.idontwant !== true) { continue }
    if (rpc === undefined) {
      // one RPC object shared by every recipient
      const control = emptyControl()
      control.idontwant.push({ messageIds: [msg.id] })
      rpc = { control }
    }
    s.out.send(key, rpc, Priority.Control)
  }
}

type HandleState = Pick<RouterState, 'config' | 'mcache' | 'out' | 'counters' | 'tick'>

/** Records the ids of one RPC's IDONTWANTs, within the per-heartbeat and per-RPC caps. */
export function handleIDontWant (s: HandleState, peer: PeerState, list: ControlIDontWant[]): void {
  const { idontwantMaxMessages, idontwantMaxIds, idontwantMaxStored, idontwantRetentionTicks } = s.config
  peer.idontwantRpcs++
  if (peer.idontwantRpcs > idontwantMaxMessages) {
    s.counters.idontwantThrottled++
    s.out.trace({ type: 'throttled', peer: peer.key, what: 'idontwant', count: peer.idontwantRpcs })
    return
  }
  let read = 0
  for (const entry of list) {
    for (const id of entry.messageIds) {
      if (read++ >= idontwantMaxIds) { return }
      const key = msgIdKey(id)
      // the cache drops its oldest id when full
      peer.dontWant ??= new TimeCache(idontwantRetentionTicks, idontwantMaxStored)
      if (!peer.dontWant.add(key, s.tick)) { continue }
      // a reply to its IWANT may still sit in the send queue
      if (s.mcache.servedCount(key, peer.key) > 0) { s.out.emit({ type: 'cancel', peer: peer.key, idKey: key }) }
    }
  }
}

/** Forgets IDONTWANT ids older than the retention; a peer left with none holds no cache. */
export function ageDontWant (peer: PeerState, tick: number): void {
  peer.dontWant?.prune(tick)
  if (peer.dontWant?.size === 0) { peer.dontWant = undefined }
}
