// Topic membership: the topics we subscribe to, and which connected peers subscribe to each topic
// (applied from SUBSCRIBE/UNSUBSCRIBE within the per-peer bounds of docs/protocol.md §7).

import { hasTopic, noTopics, topicCount, withTopic, withoutTopic } from './peers.ts'
import type { PeerState } from './peers.ts'
import type { PeerKey } from './types.ts'

export type SubscriptionChange = 'subscribed' | 'unsubscribed' | 'unchanged' | 'over-limit'

const encoder = new TextEncoder()

export class TopicTable {
  /** Our subscriptions (local input only). */
  readonly mine = new Set<string>()
  /**
   * topic → subscribed peers. Bound: connected peers × maxPeerTopics. Pruned: on UNSUBSCRIBE and
   * removePeer; a topic's entry is deleted when its last subscriber leaves.
   */
  private readonly subscribers = new Map<string, Map<PeerKey, PeerState>>()
  /**
   * topic → its subscribers as an array, built on demand for the heartbeat's per-topic loops and
   * dropped whenever the topic's subscribers change. Same keys and bound as `subscribers`.
   */
  private readonly lists = new Map<string, PeerState[]>()
  private static readonly none: ReadonlyMap<PeerKey, PeerState> = new Map()

  /** Applies one SUBSCRIBE/UNSUBSCRIBE of `peer`, honouring its topic-count and topic-byte bounds. */
  apply (peer: PeerState, topic: string, subscribe: boolean, maxTopics: number, maxTopicBytes: number): SubscriptionChange {
    if (subscribe) {
      if (hasTopic(peer.topics, topic)) { return 'unchanged' }
      const bytes = topicBytes(topic)
      if (topicCount(peer.topics) >= maxTopics || peer.topicBytes + bytes > maxTopicBytes) { return 'over-limit' }
      peer.topics = withTopic(peer.topics, topic)
      peer.topicBytes += bytes
      let map = this.subscribers.get(topic)
      if (map === undefined) {
        map = new Map()
        this.subscribers.set(topic, map)
      }
      map.set(peer.key, peer)
      this.lists.delete(topic)
      return 'subscribed'
    }
    const rest = withoutTopic(peer.topics, topic)
    if (rest === undefined) { return 'unchanged' }
    peer.topics = rest
    peer.topicBytes -= topicBytes(topic)
    this.dropSubscriber(topic, peer.key)
    return 'unsubscribed'
  }

  /** Forgets every subscription of a departing peer. */
  removePeer (peer: PeerState): void {
    for (const topic of peer.topics) { this.dropSubscriber(topic, peer.key) }
    peer.topics = noTopics()
    peer.topicBytes = 0
  }

  private dropSubscriber (topic: string, key: PeerKey): void {
    const set = this.subscribers.get(topic)
    if (set === undefined) { return }
    set.delete(key)
    this.lists.delete(topic)
    if (set.size === 0) { this.subscribers.delete(topic) }
  }

  /** The peers subscribed to `topic`, with their state (live view; do not mutate). */
  subscribersOf (topic: string): ReadonlyMap<PeerKey, PeerState> {
    return this.subscribers.get(topic) ?? TopicTable.none
  }

  /** The subscribers of `topic` as an array (cached until they change; do not mutate). */
  subscriberList (topic: string): readonly PeerState[] {
    let list = this.lists.get(topic)
    if (list === undefined) {
      const map = this.subscribers.get(topic)
      if (map === undefined) { return [] }
      list = [...map.values()]
      this.lists.set(topic, list)
    }
    return list
  }

  /** The topics with at least one subscribed peer (live; do not mutate). */
  topics (): IterableIterator<string> {
    return this.subscribers.keys()
  }

  /** Number of topics with at least one subscribed peer. */
  get knownTopics (): number {
    return this.subscribers.size
  }
}

/** UTF-8 length of a topic name, without allocating for ASCII names. */
function topicBytes (topic: string): number {
  for (let i = 0; i < topic.length; i++) {
    if (topic.charCodeAt(i) > 127) { return encoder.encode(topic).length }
  }
  return topic.length
}
