// Router options → validated, frozen RouterConfig. Owns every protocol default (with its source,
// docs/protocol.md §4 / §7), the per-topic mesh-degree overrides, and the one validator the defaults also pass.

import { InvalidConfigError } from './errors.ts'
import { ScoreParamsError } from './score/errors.ts'
import { defaultPeerScoreThresholds, validatePeerScoreThresholds } from './score/thresholds.ts'
import type { PeerKey } from './core/types.ts'
import type { PeerScoreThresholds } from './score/thresholds.ts'

/** Mesh degrees of one topic (docs/protocol.md §4); any of them may be overridden per topic. */
export interface MeshDegrees {
  /** mesh degree target; default 6 (spec); Dlo ≤ D ≤ Dhi */
  D: number
  /** graft when the mesh has fewer peers; default 4 (spec; go and rust use 5); Dout < Dlo */
  Dlo: number
  /** prune back to D when the mesh has at least this many; default 12 (spec); ≥ D */
  Dhi: number
  /** on oversubscription keep this many best-scoring peers; default 4 (go); 0 ≤ Dscore ≤ D */
  Dscore: number
  /** keep at least this many outbound peers in the mesh; default 2 (go); < Dlo and ≤ D/2 */
  Dout: number
  /** minimum number of peers IHAVE gossip goes to; default 6 (spec); ≥ 0 */
  Dlazy: number
}

/** Per-topic overrides (`topics` option). */
export type TopicOptions = Partial<MeshDegrees>

/** Router options. All optional; times in milliseconds unless said otherwise. */
export interface RouterOptions extends Partial<MeshDegrees> {
  /** time between heartbeats, ms; default 1000 (spec); integer > 0 */
  heartbeatInterval?: number
  /** delay of the first heartbeat after start, ms; default 100 (go); integer ≥ 0 */
  heartbeatInitialDelay?: number
  /** forget a fanout topic this long after our last publish to it, ms; default 60000 (spec); integer ≥ 1 */
  fanoutTTL?: number
  /** heartbeat windows of history kept in the message cache; default 5 (spec); integer ≥ mcacheGossip */
  mcacheLength?: number
  /** most recent windows advertised in IHAVE; default 3 (spec); 1 ≤ mcacheGossip ≤ mcacheLength */
  mcacheGossip?: number
  /** max messages the message cache holds, across windows; default 65536 (ours, docs/protocol.md §7); integer ≥ 1 */
  mcacheMaxMessages?: number
  /** max encoded bytes the message cache holds; default 128 MiB (ours, docs/protocol.md §7); integer ≥ 1 */
  mcacheMaxBytes?: number
  /** how long a message id stays in the seen cache, ms; default 120000 (go); integer ≥ 1 */
  seenTTL?: number
  /** max ids in the seen cache (the oldest are dropped first); default 262144 (ours); integer ≥ 1 */
  seenMaxEntries?: number
  /** backoff after a PRUNE, ms; default 60000 (spec); integer ≥ 1 */
  pruneBackoff?: number
  /** backoff after leaving a topic, ms; default 10000 (go); integer ≥ 1 */
  unsubscribeBackoff?: number
  /** `@libp2p/gossipsub`'s spelling of `unsubscribeBackoff` (same meaning) */
  unsubcribeBackoff?: number
  /**
   * extra heartbeats we wait after a backoff expires before grafting that peer again (the spec's
   * "some slack"); default 1 (js, rust; go uses 2); integer ≥ 0
   */
  backoffSlackTicks?: number
  /** a PRUNE backoff received from a peer is capped at this, ms; default 3600000 (ours); integer ≥ 1 */
  maxRemoteBackoff?: number
  /** publish own messages to every topic peer with score ≥ publishThreshold; default true (spec) */
  floodPublish?: boolean
  /** IHAVE goes to max(Dlazy, gossipFactor × eligible peers); default 0.25 (spec); in [0, 1] */
  gossipFactor?: number
  /** max times one message is served to one peer via IWANT; default 3 (go); integer ≥ 1 */
  gossipRetransmission?: number
  /** max ids in one emitted IHAVE, and max ids asked of one peer per heartbeat; default 5000 (go); integer ≥ 1 */
  maxIHaveLength?: number
  /** IHAVE-bearing RPCs accepted per peer per heartbeat; default 10 (go); integer ≥ 1 */
  maxIHaveMessages?: number
  /** time a peer has to deliver a message it advertised and we asked for, ms; default 3000 (go); integer ≥ 1 */
  iwantFollowupTime?: number
  /** a GRAFT this soon after the backoff started earns an extra penalty, ms; default 10000 (go); integer ≥ 0 */
  graftFloodThreshold?: number
  /** max PX peers sent in, and taken from, one PRUNE; default 16 (go); integer ≥ 0 */
  prunePeers?: number
  /** attach peer exchange to our PRUNEs; default false (go) */
  doPX?: boolean
  /** peers we always forward to and never mesh with (the adapter maps PeerIds to keys); default none; non-empty keys, duplicates dropped */
  directPeers?: PeerKey[]
  /** re-dial disconnected direct peers every this many heartbeats; default 300 (spec: 5 min); integer ≥ 1 */
  directConnectTicks?: number
  /** opportunistic graft every this many heartbeats; default 60 (go); integer ≥ 1 */
  opportunisticGraftTicks?: number
  /** peers grafted per opportunistic graft; default 2 (go); integer ≥ 0 */
  opportunisticGraftPeers?: number
  /** send IDONTWANT only for messages whose data has at least this many bytes; default 1024 (go); integer ≥ 0 */
  idontwantMinDataSize?: number
  /** IDONTWANT-bearing RPCs accepted per peer per heartbeat; default 1000 (go); integer ≥ 1 */
  idontwantMaxMessages?: number
  /** ids read from one RPC's IDONTWANTs (the rest ignored); default 10 (go); integer ≥ 1 */
  idontwantMaxIds?: number
  /** ids remembered per peer at most (the oldest dropped); default 10000 (rust); integer ≥ 1 */
  idontwantMaxStored?: number
  /** heartbeats an IDONTWANT id is remembered; default 3 (go); integer ≥ 1 */
  idontwantRetentionTicks?: number
  /** topics tracked per remote peer (excess subscriptions ignored); default 1024 (docs/protocol.md §7); integer ≥ 1 */
  maxPeerTopics?: number
  /** total topic-name bytes tracked per remote peer; default 1 MiB (docs/protocol.md §7); integer ≥ 1 */
  maxPeerTopicBytes?: number
  /** messages waiting for validation at once (excess dropped as ignored); default 8192 (ours); integer ≥ 1 */
  maxPendingValidations?: number
  /** PX dials outstanding at once; default 128 (go); integer ≥ 1 */
  maxPendingDials?: number
  /** a PX dial not followed by a connection is forgotten after this, ms; default 30000 (ours); integer ≥ 1 */
  pendingDialTTL?: number
  /** deliver our own publishes to ourselves when subscribed; default false (`@libp2p/gossipsub`) */
  emitSelf?: boolean
  /** accept /floodsub/1.0.0 peers (they get every message of their topics); default true (go) */
  floodsub?: boolean
  /** advertise and run the interop test extension on /meshsub/1.3.0; default false */
  testExtension?: boolean
  /** score thresholds (docs/protocol.md §6); default `@libp2p/gossipsub`'s; gossip < 0, publish ≤ gossip, graylist < publish, acceptPX ≥ 0, opportunisticGraft ≥ 0 */
  scoreThresholds?: Partial<PeerScoreThresholds>
  /** per-topic mesh degree overrides; default none; each topic's merged degrees obey the global constraints */
  topics?: Record<string, TopicOptions>
}

/** The validated, frozen configuration the core runs on. */
export interface RouterConfig extends Readonly<MeshDegrees> {
  readonly heartbeatInterval: number
  readonly heartbeatInitialDelay: number
  readonly fanoutTTL: number
  readonly mcacheLength: number
  readonly mcacheGossip: number
  readonly mcacheMaxMessages: number
  readonly mcacheMaxBytes: number
  readonly seenTTL: number
  readonly seenMaxEntries: number
  readonly pruneBackoff: number
  readonly unsubscribeBackoff: number
  readonly backoffSlackTicks: number
  readonly maxRemoteBackoff: number
  readonly floodPublish: boolean
  readonly gossipFactor: number
  readonly gossipRetransmission: number
  readonly maxIHaveLength: number
  readonly maxIHaveMessages: number
  readonly iwantFollowupTime: number
  readonly graftFloodThreshold: number
  readonly prunePeers: number
  readonly doPX: boolean
  readonly directPeers: readonly PeerKey[]
  readonly directConnectTicks: number
  readonly opportunisticGraftTicks: number
  readonly opportunisticGraftPeers: number
  readonly idontwantMinDataSize: number
  readonly idontwantMaxMessages: number
  readonly idontwantMaxIds: number
  readonly idontwantMaxStored: number
  readonly idontwantRetentionTicks: number
  readonly maxPeerTopics: number
  readonly maxPeerTopicBytes: number
  readonly maxPendingValidations: number
  readonly maxPendingDials: number
  readonly pendingDialTTL: number
  readonly emitSelf: boolean
  readonly floodsub: boolean
  readonly testExtension: boolean
  readonly scoreThresholds: Readonly<PeerScoreThresholds>
  /** per-topic degrees with the global ones filled in, for topics that override any */
  readonly topics: Readonly<Record<string, Readonly<MeshDegrees>>>
}

const MiB = 1024 * 1024

/** The defaults; they pass through `validateRouterConfig` like any user options. */
export const defaultRouterOptions = Object.freeze({
  D: 6,
  Dlo: 4,
  Dhi: 12,
  Dscore: 4,
  Dout: 2,
  Dlazy: 6,
  heartbeatInterval: 1000,
  heartbeatInitialDelay: 100,
  fanoutTTL: 60_000,
  mcacheLength: 5,
  mcacheGossip: 3,
  mcacheMaxMessages: 65_536,
  mcacheMaxBytes: 128 * MiB,
  seenTTL: 120_000,
  seenMaxEntries: 262_144,
  pruneBackoff: 60_000,
  unsubscribeBackoff: 10_000,
  backoffSlackTicks: 1,
  maxRemoteBackoff: 3_600_000,
  floodPublish: true,
  gossipFactor: 0.25,
  gossipRetransmission: 3,
  maxIHaveLength: 5000,
  maxIHaveMessages: 10,
  iwantFollowupTime: 3000,
  graftFloodThreshold: 10_000,
  prunePeers: 16,
  doPX: false,
  directConnectTicks: 300,
  opportunisticGraftTicks: 60,
  opportunisticGraftPeers: 2,
  idontwantMinDataSize: 1024,
  idontwantMaxMessages: 1000,
  idontwantMaxIds: 10,
  idontwantMaxStored: 10_000,
  idontwantRetentionTicks: 3,
  maxPeerTopics: 1024,
  maxPeerTopicBytes: MiB,
  maxPendingValidations: 8192,
  maxPendingDials: 128,
  pendingDialTTL: 30_000,
  emitSelf: false,
  floodsub: true,
  testExtension: false
})

type NumericKey = { [K in keyof typeof defaultRouterOptions]: typeof defaultRouterOptions[K] extends number ? K : never }[keyof typeof defaultRouterOptions]

/** Options that must be integers ≥ 1 (the rest of the numeric ones: integers ≥ 0, or see below). */
const positiveInts: NumericKey[] = [
  'heartbeatInterval', 'fanoutTTL', 'mcacheLength', 'mcacheGossip', 'mcacheMaxMessages', 'mcacheMaxBytes',
  'seenTTL', 'seenMaxEntries', 'pruneBackoff', 'unsubscribeBackoff', 'maxRemoteBackoff', 'gossipRetransmission',
  'maxIHaveLength', 'maxIHaveMessages', 'iwantFollowupTime', 'directConnectTicks', 'opportunisticGraftTicks',
  'idontwantMaxMessages', 'idontwantMaxIds', 'idontwantMaxStored', 'idontwantRetentionTicks', 'maxPeerTopics',
  'maxPeerTopicBytes', 'maxPendingValidations', 'maxPendingDials', 'pendingDialTTL'
]

function fail (option: string, message: string): never {
  throw new InvalidConfigError(option, message)
}

function checkInt (name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    fail(name, `${name}=${String(v)} must be an integer ≥ ${min}`)
  }
  return v
}

/** Validates one set of mesh degrees (global or a topic's, named by `where`). */
function checkDegrees (d: MeshDegrees, where: string): void {
  for (const k of ['D', 'Dlo', 'Dhi', 'Dscore', 'Dout', 'Dlazy'] as const) { checkInt(where + k, d[k], 0) }
  if (d.D < d.Dlo || d.D > d.Dhi) { fail(where + 'D', `${where}D=${d.D} must be between ${where}Dlo=${d.Dlo} and ${where}Dhi=${d.Dhi}`) }
  if (d.Dscore > d.D) { fail(where + 'Dscore', `${where}Dscore=${d.Dscore} must be ≤ ${where}D=${d.D}`) }
  if (d.Dout >= d.Dlo && d.Dout > 0) { fail(where + 'Dout', `${where}Dout=${d.Dout} must be < ${where}Dlo=${d.Dlo}`) }
  if (d.Dout * 2 > d.D) { fail(where + 'Dout', `${where}Dout=${d.Dout} must be ≤ ${where}D/2=${d.D / 2}`) }
}

/** The score module's threshold rules, reported as a config error under `scoreThresholds.`. */
function checkThresholds (t: PeerScoreThresholds): void {
  try {
    validatePeerScoreThresholds(t)
  } catch (err) {
    if (err instanceof ScoreParamsError) { fail(`scoreThresholds.${err.param}`, `scoreThresholds.${err.message}`) }
    throw err
  }
}

/** Type and range checks of every scalar option. */
function checkScalars (merged: Record<keyof typeof defaultRouterOptions, unknown>): void {
  for (const k of Object.keys(defaultRouterOptions) as Array<keyof typeof defaultRouterOptions>) {
    const v = merged[k]
    if (typeof defaultRouterOptions[k] === 'boolean') {
      if (typeof v !== 'boolean') { fail(k, `${k}=${String(v)} must be a boolean`) }
    } else if (k !== 'gossipFactor') {
      checkInt(k, v, positiveInts.includes(k as NumericKey) ? 1 : 0)
    }
  }
  const gf = merged.gossipFactor
  if (typeof gf !== 'number' || !(gf >= 0 && gf <= 1)) {
    fail('gossipFactor', `gossipFactor=${String(gf)} must be between 0 and 1`)
  }
  if ((merged.mcacheGossip as number) > (merged.mcacheLength as number)) {
    fail('mcacheGossip', `mcacheGossip=${String(merged.mcacheGossip)} must be ≤ mcacheLength=${String(merged.mcacheLength)}`)
  }
}

function definedOnly<T extends object> (o: T): Partial<T> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) { if (v !== undefined) { out[k] = v } }
  return out as Partial<T>
}

/**
 * Validates options, fills in defaults and returns a frozen config. Throws InvalidConfigError naming
 * the option and its value on the first problem found.
 */
export function validateRouterConfig (opts: RouterOptions = {}): RouterConfig {
  for (const k of Object.keys(opts)) {
    if (!Object.hasOwn(defaultRouterOptions, k) && !['scoreThresholds', 'topics', 'directPeers', 'unsubcribeBackoff'].includes(k)) {
      fail(k, `unknown router option ${k}`)
    }
  }
  if (opts.unsubscribeBackoff !== undefined && opts.unsubcribeBackoff !== undefined &&
    opts.unsubscribeBackoff !== opts.unsubcribeBackoff) {
    fail('unsubscribeBackoff', `unsubscribeBackoff=${opts.unsubscribeBackoff} and unsubcribeBackoff=${opts.unsubcribeBackoff} disagree`)
  }
  const { topics: topicOpts, scoreThresholds, directPeers, unsubcribeBackoff, ...rest } = opts
  const merged = { ...defaultRouterOptions, ...definedOnly(rest) }
  if (opts.unsubscribeBackoff === undefined && unsubcribeBackoff !== undefined) { merged.unsubscribeBackoff = unsubcribeBackoff }

  checkScalars(merged)
  const degrees: MeshDegrees = { D: merged.D, Dlo: merged.Dlo, Dhi: merged.Dhi, Dscore: merged.Dscore, Dout: merged.Dout, Dlazy: merged.Dlazy }
  checkDegrees(degrees, '')

  const thresholds = { ...defaultPeerScoreThresholds, ...definedOnly(scoreThresholds ?? {}) }
  checkThresholds(thresholds)

  const direct = directPeers ?? []
  if (!Array.isArray(direct) || direct.some(p => typeof p !== 'string' || p === '')) {
    fail('directPeers', 'directPeers must be a list of non-empty peer keys')
  }

  const topics: Record<string, Readonly<MeshDegrees>> = {}
  for (const [topic, t] of Object.entries(topicOpts ?? {})) {
    const d = { ...degrees, ...definedOnly(t ?? {}) }
    checkDegrees(d, `topics[${JSON.stringify(topic)}].`)
    topics[topic] = Object.freeze(d)
  }

  const config: RouterConfig = {
    ...merged,
    directPeers: Object.freeze([...new Set(direct)]),
    scoreThresholds: Object.freeze(thresholds),
    topics: Object.freeze(topics)
  }
  return Object.freeze(config)
}

/** The mesh degrees that apply to `topic` (its override, else the global ones). */
export function topicDegrees (config: RouterConfig, topic: string): Readonly<MeshDegrees> {
  return config.topics[topic] ?? config
}
