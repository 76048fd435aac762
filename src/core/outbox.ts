// The core's outbox: outputs in emission order, plus control entries (GRAFT/PRUNE/IHAVE/IWANT)
// gathered per peer during one input and flushed as one control RPC per peer at its end.

import { emptyControl } from '../types.ts'
import { Priority } from './types.ts'
import type { ControlMessage } from '../types.ts'
import type { OutRpc, PeerKey, PriorityClass, RouterOutput, TraceEvent } from './types.ts'

export class Outbox {
  private outputs: RouterOutput[] = []
  /**
   * peer → control gathered during the current input. Bound: connected peers; emptied by
   * `flushControl()` at the end of every input and for a peer on its removal.
   */
  private readonly pending = new Map<PeerKey, ControlMessage>()

  /** The control message being gathered for `peer`. */
  control (peer: PeerKey): ControlMessage {
    let c = this.pending.get(peer)
    if (c === undefined) {
      c = emptyControl()
      this.pending.set(peer, c)
    }
    return c
  }

  send (peer: PeerKey, rpc: OutRpc, priority: PriorityClass): void {
    this.outputs.push({ type: 'send', peer, rpc, priority })
  }

  emit (output: RouterOutput): void {
    this.outputs.push(output)
  }

  trace (event: TraceEvent): void {
    this.outputs.push({ type: 'trace', event })
  }

  /** Withdraws a GRAFT of `topic` gathered for `peer` and not yet sent (it pruned us meanwhile). */
  withdrawGraft (peer: PeerKey, topic: string): void {
    const c = this.pending.get(peer)
    if (c !== undefined && c.graft.length > 0) { c.graft = c.graft.filter(g => g.topic !== topic) }
  }

  /** Drops control gathered for a peer that went away. */
  forget (peer: PeerKey): void {
    this.pending.delete(peer)
  }

  /** Emits one control RPC per peer with gathered control. */
  flushControl (): void {
    if (this.pending.size === 0) { return }
    for (const [peer, control] of this.pending) {
      this.outputs.push({ type: 'send', peer, rpc: { control }, priority: Priority.Control })
    }
    this.pending.clear()
  }

  take (): RouterOutput[] {
    const out = this.outputs
    this.outputs = []
    return out
  }

  get length (): number {
    return this.outputs.length
  }
}
