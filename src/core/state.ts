// The router's state, as one record of its parts. Router owns it; the phase and control modules
// each take only the parts they need (Pick<RouterState, ...>), never the Router itself.

import type { BackoffTable } from './backoff.ts'
import type { MeshTable } from './mesh.ts'
import type { Outbox } from './outbox.ts'
import type { PeerState, PeerTable } from './peers.ts'
import type { GossipPromises } from './promises.ts'
import type { Rng } from './rng.ts'
import type { TopicTable } from './topics.ts'
import type { PeerIdCodec, PeerKey, ScoreProvider } from './types.ts'
import type { PendingValidations } from './validation.ts'
import type { MessageCache, SeenIndex } from '../cache/message-cache.ts'
import type { TimeCache } from '../cache/time-cache.ts'
import type { RouterConfig } from '../config.ts'

/** Things the router counts but does not otherwise keep (reported by `stats()`). */
export interface RouterCounters {
  subscriptionsOverLimit: number
  ihaveThrottled: number
  idontwantThrottled: number
  iwantOverRetransmission: number
  pxDialsDropped: number
  messagesUnsubscribedTopic: number
  extensionsRepeated: number
}

export interface RouterState {
  readonly config: RouterConfig
  readonly localPeer: PeerKey
  readonly localIdBytes: Uint8Array
  readonly rng: Rng
  readonly peerIds: PeerIdCodec
  readonly score: ScoreProvider
  readonly peers: PeerTable
  readonly topics: TopicTable
  readonly mesh: MeshTable
  readonly backoff: BackoffTable
  readonly mcache: MessageCache
  /** seen message ids (seenTTL, seenMaxEntries), holding the mcache's entries; pruned every heartbeat */
  readonly seen: SeenIndex
  readonly promises: GossipPromises
  readonly validation: PendingValidations
  /** PX dials emitted and not yet answered by a connection (maxPendingDials, pendingDialTTL) */
  readonly dials: TimeCache
  readonly out: Outbox
  readonly counters: RouterCounters
  /** heartbeats run so far */
  tick: number
  /** a reused buffer for hot loops; its contents are meaningless between calls and never escape */
  readonly scratch: PeerState[]
  /** true while a heartbeat runs on the score snapshot in PeerState.hbScore (see scoreOf) */
  scoreSnapshot: boolean
  /** bumped to mark a fresh exclusion set on PeerState.mark */
  epoch: number
  /** peers with IHAVE gathered in the current heartbeat (PeerState.ihaveOut); emptied at its end */
  readonly gossipOut: PeerState[]
}
