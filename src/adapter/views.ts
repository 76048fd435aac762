// Read-only Map/Set views over router state in the shapes @libp2p/gossipsub keeps public (mesh,
// fanout, topics, peers, direct): live reads, and every mutation throws so apps cannot corrupt it.

import { dumpPeerStats } from '../score/dump.ts'
import { createPeerScoreParams } from '../score/params.ts'
import type { Router } from '../core/router.ts'
import type { PeerKey } from '../core/types.ts'
import type { PeerScoreStatsDump } from '../score/dump.ts'
import type { PeerScoreParams } from '../score/params.ts'
import type { PeerScore } from '../score/peer-score.ts'
import type { PeerId } from '@libp2p/interface'

function readOnly (): never {
  throw new TypeError('read-only view of the router\'s state: change it through the GossipSub API')
}

/** What a set view reads: a Set, or a Map read as the set of its keys. */
export interface SetSource<T> {
  readonly size: number
  has(value: T): boolean
  keys(): Iterable<T>
}

const EMPTY: SetSource<never> = new Set()

/** A Set that reads through to a source; add/delete/clear throw. */
export class ReadonlySetView<T> implements Set<T> {
  private readonly source: () => SetSource<T> | undefined

  constructor (source: () => SetSource<T> | undefined) {
    this.source = source
  }

  private get set (): SetSource<T> { return this.source() ?? EMPTY }
  get size (): number { return this.set.size }
  get [Symbol.toStringTag] (): string { return 'Set' }
  has (value: T): boolean { return this.set.has(value) }
  add (_value: T): this { return readOnly() }
  delete (_value: T): boolean { return readOnly() }
  clear (): void { readOnly() }
  forEach (fn: (value: T, value2: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const v of this.values()) { fn.call(thisArg, v, v, this) }
  }

  * values (): SetIterator<T> {
    // copied first: a caller may act on the router between steps of the iteration
    yield * [...this.set.keys()]
  }

  keys (): SetIterator<T> { return this.values() }
  * entries (): SetIterator<[T, T]> { for (const v of this.values()) { yield [v, v] } }
  [Symbol.iterator] (): SetIterator<T> { return this.values() }
}

/** What a map view reads: its keys and the value of a key (undefined when absent). */
export interface MapSource<K, V> {
  keys(): Iterable<K>
  get(key: K): V | undefined
  size(): number
}

/** A Map that reads through to a source; set/delete/clear throw. */
export class ReadonlyMapView<K, V> implements Map<K, V> {
  private readonly source: MapSource<K, V>

  constructor (source: MapSource<K, V>) {
    this.source = source
  }

  get size (): number { return this.source.size() }
  get [Symbol.toStringTag] (): string { return 'Map' }
  get (key: K): V | undefined { return this.source.get(key) }
  has (key: K): boolean { return this.source.get(key) !== undefined }
  set (_key: K, _value: V): this { return readOnly() }
  delete (_key: K): boolean { return readOnly() }
  clear (): void { readOnly() }
  forEach (fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) { fn.call(thisArg, v, k, this) }
  }

  * keys (): MapIterator<K> { yield * this.source.keys() }
  * values (): MapIterator<V> { for (const [, v] of this.entries()) { yield v } }
  * entries (): MapIterator<[K, V]> {
    // copied first: a caller may act on the router between steps of the iteration
    for (const k of [...this.source.keys()]) {
      const v = this.source.get(k)
      if (v !== undefined) { yield [k, v] }
    }
  }

  [Symbol.iterator] (): MapIterator<[K, V]> { return this.entries() }
}

/** The router tables the views read (the router's own; only their read methods are called). */
export type RouterTables = ReturnType<Router['tables']>

function count (it: Iterable<unknown>): number {
  let n = 0
  const iter = it[Symbol.iterator]()
  while (iter.next().done !== true) { n++ }
  return n
}

/** A topic → peer set table; each get makes a small live view (none kept, so nothing to bound). */
function topicTable (topics: () => Iterable<string>, peersOf: (topic: string) => SetSource<PeerKey> | undefined): Map<string, Set<PeerKey>> {
  return new ReadonlyMapView<string, Set<PeerKey>>({
    keys: topics,
    size: () => count(topics()),
    get: (topic) => peersOf(topic) === undefined ? undefined : new ReadonlySetView(() => peersOf(topic))
  })
}

/** The views `@libp2p/gossipsub`'s class keeps public (and `topics`, which it keeps private). */
export class RouterViews {
  /** joined topic → mesh peers */
  readonly mesh: Map<string, Set<string>>
  /** topic we publish to without joining → fanout peers */
  readonly fanout: Map<string, Set<string>>
  /** topic → connected peers subscribed to it */
  readonly topics: Map<string, Set<string>>
  /** connected pubsub peers */
  readonly peers: Map<string, PeerId>
  /** configured direct peers */
  readonly direct: Set<string>

  constructor (tables: () => RouterTables | undefined, peerId: (key: PeerKey) => PeerId | undefined) {
    const none: Iterable<never> = []
    this.mesh = topicTable(() => tables()?.mesh.meshTopics() ?? none, t => tables()?.mesh.meshOf(t))
    this.fanout = topicTable(() => tables()?.mesh.fanoutTopics() ?? none, t => tables()?.mesh.fanoutSet(t))
    this.topics = topicTable(() => tables()?.topics.topics() ?? none, t => {
      const subs = tables()?.topics.subscribersOf(t)
      return subs === undefined || subs.size === 0 ? undefined : subs
    })
    this.peers = new ReadonlyMapView<string, PeerId>({
      keys: () => tables()?.peers.keys() ?? none,
      size: () => tables()?.peers.size ?? 0,
      get: (key) => tables()?.peers.has(key) === true ? peerId(key) : undefined
    })
    this.direct = new ReadonlySetView(() => tables()?.peers.directPeers())
  }
}

/** `score` as `@libp2p/gossipsub` keeps it public, read-only: a peer's score, the params, the dump. */
export interface PeerScoreView {
  /** the peer's score (0 for unknown peers) */
  score(id: string): number
  /** every known peer's counters (a copy) */
  dumpPeerScoreStats(): PeerScoreStatsDump
  /** the score parameters in force (a copy) */
  readonly params: PeerScoreParams
  /** peers with a score record (connected and retained) */
  readonly size: number
}

/** A PeerScoreView of the current score; `wallClock` maps the router's clock to Date.now() time. */
export function scoreView (score: () => PeerScore | undefined, wallClock: (t: number) => number): PeerScoreView {
  return Object.freeze({
    score: (id: string) => score()?.score(id) ?? 0,
    dumpPeerScoreStats: () => dumpPeerStats(score()?.peerStats() ?? [], wallClock),
    get params () { return score()?.getParams() ?? createPeerScoreParams() },
    get size () { return score()?.size.peers ?? 0 }
  })
}
