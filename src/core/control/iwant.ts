// IWANT: serving a peer's requests from the message cache, at most gossipRetransmission times per
// (peer, id), skipping ids the peer said it does not want, only to peers above gossipThreshold.

import { msgIdKey } from '../msgid.ts'
import { Priority } from '../types.ts'
import type { ControlIWant } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'
import type { RouterMessage } from '../types.ts'

type IWantState = Pick<RouterState, 'config' | 'mcache' | 'score' | 'out' | 'counters'>

/** Handles the IWANTs of one RPC: one gossip-priority send with every message we can serve. */
export function handleIWant (s: IWantState, peer: PeerState, iwants: ControlIWant[]): void {
  if (s.score.score(peer.key) < s.config.scoreThresholds.gossipThreshold) { return }
  let msgs: RouterMessage[] | undefined
  for (const iwant of iwants) {
    for (const id of iwant.messageIds) {
      const key = msgIdKey(id)
      if (peer.dontWant?.has(key) === true) { continue }
      const hit = s.mcache.getForPeer(key, peer.key)
      if (hit === undefined) { continue }
      if (hit.count > s.config.gossipRetransmission) {
        s.counters.iwantOverRetransmission++
        continue
      }
      (msgs ??= []).push(hit.msg)
    }
  }
  if (msgs !== undefined) { s.out.send(peer.key, { messages: msgs }, Priority.Gossip) }
}
