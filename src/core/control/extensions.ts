// Hello and extensions (v1.3): our first RPC to a peer (subscriptions, and our ControlExtensions on
// /meshsub/1.3.0), reading a peer's extensions from its first RPC, and the interop test extension.

import { emptyControl } from '../../types.ts'
import { Priority } from '../types.ts'
import type { ControlExtensions } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'
import type { InRpc, OutRpc } from '../types.ts'

/** P7 penalty for a ControlExtensions outside the first RPC (go). */
export const repeatedExtensionsPenalty = 10

/** The extensions we advertise, or undefined when we support none. */
function ourExtensions (s: Pick<RouterState, 'config'>): ControlExtensions | undefined {
  return s.config.testExtension ? { testExtension: true } : undefined
}

/** Sends our first RPC to a new peer, if it has anything to say; `extensionsSent`: the stream had them already. */
export function sendHello (s: Pick<RouterState, 'config' | 'topics' | 'out'>, peer: PeerState, extensionsSent = false): void {
  const rpc: OutRpc = {}
  if (s.topics.mine.size > 0) {
    rpc.subscriptions = [...s.topics.mine].map(topic => ({ subscribe: true, topic }))
  }
  const ext = peer.features.extensions && !extensionsSent ? ourExtensions(s) : undefined
  if (ext !== undefined) {
    const control = emptyControl()
    control.extensions = ext
    rpc.control = control
  }
  if (rpc.subscriptions !== undefined || rpc.control !== undefined) { s.out.send(peer.key, rpc, Priority.Control) }
}

/**
 * Reads the extension parts of an RPC: the peer's extensions from its first RPC only (a later
 * ControlExtensions is misbehaviour), the test extension exchange, and its TestExtension payload.
 */
export function handleExtensions (s: Pick<RouterState, 'config' | 'score' | 'out' | 'counters'>, peer: PeerState, rpc: InRpc): void {
  const ext = rpc.control?.extensions
  if (!peer.firstRpcSeen) {
    peer.firstRpcSeen = true
    if (ext !== undefined && peer.features.extensions) {
      peer.extensions = ext
      if (ext.testExtension === true && ourExtensions(s)?.testExtension === true) {
        s.out.send(peer.key, { testExtension: true }, Priority.Control)
      }
    }
  } else if (ext !== undefined && peer.features.extensions) {
    s.counters.extensionsRepeated++
    s.score.addPenalty(peer.key, repeatedExtensionsPenalty, 'repeated-extensions')
    s.out.trace({ type: 'penalty', peer: peer.key, cause: 'repeated-extensions', count: repeatedExtensionsPenalty })
  }
  if (rpc.testExtension === true && peer.extensions?.testExtension === true) { peer.testExtensionReceived = true }
}
