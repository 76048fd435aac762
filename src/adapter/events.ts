// The service's public event map and call shapes, named as in `@libp2p/gossipsub` 17 where the
// concept is the same, plus meshsub's trace event and waitForMesh options.

import type { Message } from './message.ts'
import type { SendQueueDrops } from './send-queue.ts'
import type { TraceEvent } from '../core/types.ts'
import type { ScoreThresholdEvent } from '../score/events.ts'
import type { MessageStreamDirection, PeerId } from '@libp2p/interface'

export interface PublishResult {
  recipients: PeerId[]
}

export interface PublishOpts {
  /** overrides the `allowPublishToZeroTopicPeers` option for this call */
  allowPublishToZeroTopicPeers?: boolean
  /** overrides the `ignoreDuplicatePublishError` option for this call */
  ignoreDuplicatePublishError?: boolean
  /** overrides the `floodPublish` option for this call */
  floodPublish?: boolean
  /** accepted for compatibility: messages are always encoded once for all peers */
  batchPublish?: boolean
}

export interface WaitForMeshOptions {
  /** mesh peers needed; default 1 */
  min?: number
  signal?: AbortSignal
}

export interface SendQueueStats {
  /** frames waiting */
  length: number
  /** bytes waiting */
  bytes: number
  /** the queue overflowed and has not emptied since */
  slow: boolean
  drops: SendQueueDrops
}

export interface Subscription {
  topic: string
  subscribe: boolean
}

export interface SubscriptionChangeData {
  peerId: PeerId
  subscriptions: Subscription[]
}

export interface GossipsubMessage {
  propagationSource: PeerId
  msgId: string
  msg: Message
}

export interface MeshPeer {
  peerId: string
  topic: string
  direction: MessageStreamDirection
}

export interface GossipSubEvents {
  'subscription-change': CustomEvent<SubscriptionChangeData>
  message: CustomEvent<Message>
  'gossipsub:heartbeat': CustomEvent
  'gossipsub:message': CustomEvent<GossipsubMessage>
  'gossipsub:graft': CustomEvent<MeshPeer>
  'gossipsub:prune': CustomEvent<MeshPeer>
  /** every trace event of the router core (meshsub's addition) */
  'gossipsub:trace': CustomEvent<TraceEvent>
  /** a peer's send queue overflowed (slow: true) or emptied again (slow: false) (meshsub's addition) */
  'gossipsub:slow-peer': CustomEvent<{ peerId: PeerId, slow: boolean }>
  /** a peer's score crossed a threshold, with the breakdown (meshsub's addition) */
  'gossipsub:score-threshold': CustomEvent<ScoreThresholdEvent>
}
