// The service's options: every public option name of `@libp2p/gossipsub` 17 (mapped, accepted as
// already-true, or rejected with a clear error) plus meshsub's own, resolved into router/adapter configs.

import { defaultRouterOptions } from '../config.ts'
import { InvalidConfigError } from '../errors.ts'
import { StrictNoSign, StrictSign } from './message.ts'
import type { DataTransform, FastMsgIdFn, MsgIdFn, MsgIdToStrFn, SignaturePolicy } from './message.ts'
import type { MetricsRegister } from './metrics-register.ts'
import type { DecodeLimits } from '../codec/limits.ts'
import type { RouterOptions, TopicOptions as RouterTopicOptions } from '../config.ts'
import type { PeerScoreParams, TopicScoreParams } from '../score/params.ts'
import type { PeerScoreThresholds } from '../score/thresholds.ts'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface AddrInfo {
  id: PeerId
  addrs: Multiaddr[]
}

/** `@libp2p/gossipsub`'s DecodeRPCLimits, mapped onto the codec's limits. */
export interface DecodeRPCLimits {
  maxSubscriptions: number
  maxMessages: number
  maxIhaveMessageIDs: number
  maxIwantMessageIDs: number
  maxIdontwantMessageIDs: number
  maxControlMessages: number
  maxPeerInfos: number
}

/** Score parameters as given: any subset, topics' parameters too (defaults fill the rest). */
export type ScoreParamsInit = Partial<Omit<PeerScoreParams, 'topics' | 'IPColocationFactorWhitelist'>> & {
  topics?: Record<string, Partial<TopicScoreParams>>
  IPColocationFactorWhitelist?: Set<string> | string[]
}

/** Options of one topic (meshsub's addition): mesh degrees plus message handling. */
export interface TopicOptions extends RouterTopicOptions {
  /** the topic's signature policy; default `globalSignaturePolicy` */
  signaturePolicy?: SignaturePolicy
  /** the topic's message id function; default `msgIdFn` */
  msgIdFn?: MsgIdFn
  /** max `data` bytes of a message in this topic, in and out; default: none (the frame limit) */
  maxMessageSize?: number
  /** validators of this topic run at most this many at once; default `messageProcessingConcurrency` */
  validationConcurrency?: number
  /** topic score parameters (merged into `scoreParams.topics[topic]`) */
  scoreParams?: Partial<TopicScoreParams>
  /**
   * send-queue class of messages forwarded in this topic: 'high' queues them with own publishes,
   * 'low' with IWANT replies (first to be evicted); default 'normal'
   */
  priority?: 'high' | 'normal' | 'low'
}

/** Options accepted by `gossipsub(init)`. Names follow `@libp2p/gossipsub` where the concept is the same. */
export interface GossipsubOpts extends Omit<RouterOptions, 'directPeers' | 'topics' | 'floodsub'> {
  /** also speak /floodsub/1.0.0; default true (@libp2p/gossipsub) */
  fallbackToFloodsub?: boolean
  /** accepted for compatibility: own messages are always encoded once and spliced for every peer */
  batchPublish?: boolean
  /** peers to keep direct (always-forward, never-mesh) connections with */
  directPeers?: AddrInfo[]
  /** messages wait for `reportMessageValidationResult` before being forwarded; default false */
  asyncValidation?: boolean
  /** publish succeeds with no peers in the topic; default false */
  allowPublishToZeroTopicPeers?: boolean
  /** publishing a message already seen resolves instead of throwing PublishError.Duplicate; default false */
  ignoreDuplicatePublishError?: boolean
  /** accepted for compatibility: RPCs of one stream are always handled in order */
  awaitRpcHandler?: boolean
  /** accepted for compatibility: messages of one RPC are always handled in order */
  awaitRpcMessageHandler?: boolean
  /**
   * message id function (used on the wire); default from ‖ seqno under StrictSign (spec, go) and
   * sha256(data) under StrictNoSign (`@libp2p/gossipsub`)
   */
  msgIdFn?: MsgIdFn
  /** cheap local id checked before msgIdFn so repeats skip it; default none */
  fastMsgIdFn?: FastMsgIdFn
  /** public string form of ids (events, reportMessageValidationResult); default base64 (`@libp2p/gossipsub`) */
  msgIdToStrFn?: MsgIdToStrFn
  /** not supported (rejected unless undefined): size the cache with mcacheLength/mcacheMaxMessages/mcacheMaxBytes */
  messageCache?: unknown
  /** peer score parameters (docs/protocol.md §6) */
  scoreParams?: ScoreParamsInit
  /** score thresholds (docs/protocol.md §6); default `@libp2p/gossipsub`'s: -10 / -50 / -80 / 10 / 20 */
  scoreThresholds?: Partial<PeerScoreThresholds>
  /** `@libp2p/gossipsub`'s name for iwantFollowupTime, ms */
  gossipsubIWantFollowupMs?: number
  /** transforms data after receipt and before publish (e.g. snappy); default none */
  dataTransform?: DataTransform
  /**
   * the app's own metrics register (gauges with collect hooks, histograms), used alongside libp2p's
   * `metrics` component if both are given; default none
   */
  metricsRegister?: MetricsRegister | null
  /** topic → metric label; only these topics get their own label (bounds cardinality) */
  metricsTopicStrToLabel?: Map<string, string>
  /** logger component name; default 'libp2p:meshsub' */
  debugName?: string
  /** concurrent inbound pubsub streams per connection (registrar option); default libp2p's */
  maxInboundStreams?: number
  /** concurrent outbound pubsub streams per connection (registrar option); default libp2p's */
  maxOutboundStreams?: number
  /** also run over limited (e.g. relayed) connections; default false (`@libp2p/gossipsub`) */
  runOnLimitedConnection?: boolean
  /** max bytes queued for one peer; default 16 MiB (ours: 16 frames of go's 1 MiB limit, 4 of ours) */
  maxOutboundBufferSize?: number
  /** `@libp2p/gossipsub`'s name for the inbound frame limit: same as maxTransmitSize */
  maxInboundDataLength?: number
  /**
   * max frame (RPC) size in and out, bytes; default 4 MiB, what `@libp2p/gossipsub` accepts and sends
   * (its length-prefix codec's limit). go-libp2p-pubsub accepts 1 MiB: set 1048576 among go peers
   */
  maxTransmitSize?: number
  /** only these topics are tracked, relayed and accepted from peers; default all */
  allowedTopics?: string[] | Set<string>
  /** `@libp2p/gossipsub`'s name for maxPeerTopicBytes (bytes of topic names tracked per peer) */
  maxTopicBytesPerPeer?: number
  /** per-RPC decode caps, mapped onto the codec's soft caps; default docs/protocol.md §7 */
  decodeRpcLimits?: Partial<DecodeRPCLimits>
  /** tag mesh peers in the connection manager; default true (`@libp2p/gossipsub`) */
  tagMeshPeers?: boolean
  /** registered protocol ids; default /meshsub/1.3.0 … 1.0.0 (+ /floodsub/1.0.0 with fallbackToFloodsub) */
  protocols?: string[]
  /** default signature policy of topics without their own; default StrictSign (spec, go) */
  globalSignaturePolicy?: SignaturePolicy
  /** accepted only as false: topics we are not subscribed to are not relayed */
  canRelayMessage?: boolean
  /** validators running at once per topic; default 32 (ours) */
  messageProcessingConcurrency?: number
  /** a validator taking longer than this counts as Ignore, ms; default 0 (off) */
  validationTimeout?: number
  /** forwarded messages older than this in a send queue are dropped, ms; default 1000 (ours) */
  forwardQueueTtl?: number
  /**
   * IWANT replies older than this in a send queue are dropped, ms; default iwantFollowupTime (3000,
   * go): the requester penalises a reply that has not arrived by then (P7), so dropping it sooner
   * only guarantees the penalty
   */
  gossipQueueTtl?: number
  /** own messages older than this in a send queue are dropped, ms; default 5000 (ours) */
  publishQueueTtl?: number
  /** max frames queued for one peer; default 4096 (ours) */
  maxOutboundQueueLength?: number
  /** P7 penalty added to a peer each time its send queue overflows; default 0 (off) */
  slowPeerPenalty?: number
  /** per-topic options */
  topics?: Record<string, TopicOptions>
}

/**
 * The service's frame limit: 4 MiB, the largest RPC `@libp2p/gossipsub` 17 sends and accepts (its
 * it-length-prefixed default), so whatever an app published with it still goes through.
 */
export const DEFAULT_SERVICE_MAX_TRANSMIT_SIZE = 4 * 1024 * 1024

export const meshsubProtocols = ['/meshsub/1.3.0', '/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0']
const FLOODSUB = '/floodsub/1.0.0'

/** What the adapter needs of the options, validated. */
export interface AdapterConfig {
  protocols: string[]
  globalSignaturePolicy: SignaturePolicy
  /**
   * message id function (used on the wire); default from ‖ seqno under StrictSign (spec, go) and
   * sha256(data) under StrictNoSign (`@libp2p/gossipsub`)
   */
  msgIdFn?: MsgIdFn
  /** cheap local id checked before msgIdFn so repeats skip it; default none */
  fastMsgIdFn?: FastMsgIdFn
  /** public string form of ids (events, reportMessageValidationResult); default base64 (`@libp2p/gossipsub`) */
  msgIdToStrFn?: MsgIdToStrFn
  /** transforms data after receipt and before publish (e.g. snappy); default none */
  dataTransform?: DataTransform
  asyncValidation: boolean
  allowPublishToZeroTopicPeers: boolean
  ignoreDuplicatePublishError: boolean
  directPeers: AddrInfo[]
  maxInboundStreams?: number
  maxOutboundStreams?: number
  runOnLimitedConnection: boolean
  sendQueue: { maxCount: number, maxBytes: number, publishTtl: number, forwardTtl: number, gossipTtl: number }
  maxTransmitSize: number
  decodeLimits: Partial<DecodeLimits>
  allowedTopics?: Set<string>
  tagMeshPeers: boolean
  validationConcurrency: number
  validationTimeout: number
  metricsTopicStrToLabel?: Map<string, string>
  metricsRegister?: MetricsRegister
  debugName?: string
  scoreParams?: ScoreParamsInit
  slowPeerPenalty: number
  topics: Record<string, TopicOptions>
}

export interface ResolvedOptions {
  router: RouterOptions
  adapter: AdapterConfig
}

/** Options that belong to the adapter or are translated; everything else is a router option. */
const ADAPTER_KEYS = new Set<string>([
  'fallbackToFloodsub', 'batchPublish', 'directPeers', 'asyncValidation', 'allowPublishToZeroTopicPeers',
  'ignoreDuplicatePublishError', 'awaitRpcHandler', 'awaitRpcMessageHandler', 'msgIdFn', 'fastMsgIdFn',
  'msgIdToStrFn', 'messageCache', 'scoreParams', 'gossipsubIWantFollowupMs', 'dataTransform',
  'metricsRegister', 'metricsTopicStrToLabel', 'debugName', 'maxInboundStreams', 'maxOutboundStreams',
  'runOnLimitedConnection', 'maxOutboundBufferSize', 'maxInboundDataLength', 'maxTransmitSize',
  'allowedTopics', 'maxTopicBytesPerPeer', 'decodeRpcLimits', 'tagMeshPeers', 'protocols',
  'globalSignaturePolicy', 'canRelayMessage', 'messageProcessingConcurrency', 'validationTimeout',
  'forwardQueueTtl', 'gossipQueueTtl', 'publishQueueTtl', 'maxOutboundQueueLength', 'slowPeerPenalty', 'topics'
])

const ROUTER_KEYS = new Set<string>([...Object.keys(defaultRouterOptions), 'scoreThresholds', 'unsubscribeBackoff', 'unsubcribeBackoff'])

const TOPIC_ADAPTER_KEYS = ['signaturePolicy', 'msgIdFn', 'maxMessageSize', 'validationConcurrency', 'scoreParams', 'priority'] as const

function fail (option: string, message: string): never {
  throw new InvalidConfigError(option, message)
}

function posInt (name: string, v: number | undefined, dflt: number, min = 1): number {
  if (v === undefined) { return dflt }
  if (!Number.isSafeInteger(v) || v < min) { fail(name, `${name}=${String(v)} must be an integer ≥ ${min}`) }
  return v
}

function checkFn (name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'function') { fail(name, `${name} must be a function`) }
}

function checkPolicy (name: string, v: unknown): void {
  if (v !== undefined && v !== StrictSign && v !== StrictNoSign) {
    fail(name, `${name}=${String(v)} must be "${StrictSign}" or "${StrictNoSign}"`)
  }
}

function mapDecodeLimits (l: Partial<DecodeRPCLimits> | undefined): Partial<DecodeLimits> {
  const out: Partial<DecodeLimits> = {}
  if (l === undefined) { return out }
  const pairs: Array<[keyof DecodeRPCLimits, keyof DecodeLimits]> = [
    ['maxSubscriptions', 'maxSubscriptions'], ['maxMessages', 'maxMessages'], ['maxIhaveMessageIDs', 'maxIHaveIds'],
    ['maxIwantMessageIDs', 'maxIWantIds'], ['maxIdontwantMessageIDs', 'maxIDontWantIds'],
    ['maxControlMessages', 'maxControlEntries'], ['maxPeerInfos', 'maxPeersPerPrune']
  ]
  for (const [from, to] of pairs) {
    if (l[from] !== undefined) { out[to] = posInt(`decodeRpcLimits.${from}`, l[from], 0, 0) }
  }
  return out
}

/** Splits topic options into the router's degrees and the adapter's rest, validating the latter. */
function splitTopics (topics: Record<string, TopicOptions> | undefined): Record<string, RouterTopicOptions> {
  const router: Record<string, RouterTopicOptions> = {}
  for (const [topic, t] of Object.entries(topics ?? {})) {
    const where = `topics[${JSON.stringify(topic)}].`
    const { signaturePolicy, msgIdFn, maxMessageSize, validationConcurrency, scoreParams, priority, ...degrees } = t ?? {}
    if (priority !== undefined && !['high', 'normal', 'low'].includes(priority)) {
      fail(where + 'priority', `${where}priority=${String(priority)} must be "high", "normal" or "low"`)
    }
    checkPolicy(where + 'signaturePolicy', signaturePolicy)
    checkFn(where + 'msgIdFn', msgIdFn)
    posInt(where + 'maxMessageSize', maxMessageSize, 0, 0)
    posInt(where + 'validationConcurrency', validationConcurrency, 1)
    for (const k of Object.keys(degrees)) {
      if (!['D', 'Dlo', 'Dhi', 'Dscore', 'Dout', 'Dlazy'].includes(k)) {
        fail(where + k, `${where}${k} is not a per-topic option (known: D, Dlo, Dhi, Dscore, Dout, Dlazy, ${TOPIC_ADAPTER_KEYS.join(', ')})`)
      }
    }
    router[topic] = degrees
  }
  return router
}

function checkAdapterOptions (init: GossipsubOpts): void {
  if (init.messageCache !== undefined) {
    fail('messageCache', 'messageCache is not supported: size the message cache with mcacheLength, mcacheMaxMessages and mcacheMaxBytes')
  }
  const reg = init.metricsRegister
  if (reg != null && (typeof reg.gauge !== 'function' || typeof reg.histogram !== 'function')) {
    fail('metricsRegister', 'metricsRegister must have gauge() and histogram() (the MetricsRegister shape)')
  }
  if (init.canRelayMessage === true) {
    fail('canRelayMessage', 'canRelayMessage=true is not supported: only topics this node subscribes to are relayed')
  }
  checkPolicy('globalSignaturePolicy', init.globalSignaturePolicy)
  for (const k of ['msgIdFn', 'fastMsgIdFn', 'msgIdToStrFn'] as const) { checkFn(k, init[k]) }
  if (init.protocols !== undefined && (!Array.isArray(init.protocols) || init.protocols.length === 0)) {
    fail('protocols', 'protocols must be a non-empty list of protocol ids')
  }
  if (init.maxInboundDataLength !== undefined && init.maxTransmitSize !== undefined && init.maxInboundDataLength !== init.maxTransmitSize) {
    fail('maxInboundDataLength', `maxInboundDataLength=${init.maxInboundDataLength} and maxTransmitSize=${init.maxTransmitSize} disagree`)
  }
}

/** Validates the options and splits them into the router's and the adapter's. */
export function resolveOptions (init: GossipsubOpts = {}): ResolvedOptions {
  checkAdapterOptions(init)
  const fallback = init.fallbackToFloodsub ?? true
  const protocols = init.protocols ?? (fallback ? [...meshsubProtocols, FLOODSUB] : [...meshsubProtocols])

  const router: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(init)) {
    if (ROUTER_KEYS.has(k)) {
      router[k] = v
    } else if (!ADAPTER_KEYS.has(k)) {
      fail(k, `unknown option ${k}`)
    }
  }
  const r = router as RouterOptions
  r.floodsub = protocols.includes(FLOODSUB)
  if (init.gossipsubIWantFollowupMs !== undefined) { r.iwantFollowupTime ??= init.gossipsubIWantFollowupMs }
  if (init.maxTopicBytesPerPeer !== undefined) { r.maxPeerTopicBytes ??= init.maxTopicBytesPerPeer }
  r.directPeers = (init.directPeers ?? []).map(p => p.id.toString())
  r.topics = splitTopics(init.topics)

  return { router: r, adapter: adapterConfig(init, protocols) }
}

function adapterConfig (init: GossipsubOpts, protocols: string[]): AdapterConfig {
  return {
    protocols,
    globalSignaturePolicy: init.globalSignaturePolicy ?? StrictSign,
    msgIdFn: init.msgIdFn,
    fastMsgIdFn: init.fastMsgIdFn,
    msgIdToStrFn: init.msgIdToStrFn,
    dataTransform: init.dataTransform,
    asyncValidation: init.asyncValidation ?? false,
    allowPublishToZeroTopicPeers: init.allowPublishToZeroTopicPeers ?? false,
    ignoreDuplicatePublishError: init.ignoreDuplicatePublishError ?? false,
    directPeers: init.directPeers ?? [],
    maxInboundStreams: init.maxInboundStreams,
    maxOutboundStreams: init.maxOutboundStreams,
    runOnLimitedConnection: init.runOnLimitedConnection ?? false,
    sendQueue: {
      maxCount: posInt('maxOutboundQueueLength', init.maxOutboundQueueLength, 4096),
      maxBytes: posInt('maxOutboundBufferSize', init.maxOutboundBufferSize, 16 * 1024 * 1024),
      publishTtl: posInt('publishQueueTtl', init.publishQueueTtl, 5000),
      forwardTtl: posInt('forwardQueueTtl', init.forwardQueueTtl, 1000),
      gossipTtl: posInt('gossipQueueTtl', init.gossipQueueTtl, init.iwantFollowupTime ?? init.gossipsubIWantFollowupMs ?? defaultRouterOptions.iwantFollowupTime)
    },
    maxTransmitSize: posInt('maxTransmitSize', init.maxTransmitSize ?? init.maxInboundDataLength, DEFAULT_SERVICE_MAX_TRANSMIT_SIZE, 64),
    decodeLimits: mapDecodeLimits(init.decodeRpcLimits),
    allowedTopics: init.allowedTopics === undefined ? undefined : new Set(init.allowedTopics),
    tagMeshPeers: init.tagMeshPeers ?? true,
    validationConcurrency: posInt('messageProcessingConcurrency', init.messageProcessingConcurrency, 32),
    validationTimeout: posInt('validationTimeout', init.validationTimeout, 0, 0),
    metricsTopicStrToLabel: init.metricsTopicStrToLabel,
    metricsRegister: init.metricsRegister ?? undefined,
    debugName: init.debugName,
    scoreParams: init.scoreParams,
    slowPeerPenalty: posInt('slowPeerPenalty', init.slowPeerPenalty, 0, 0),
    topics: init.topics ?? {}
  }
}

/** Global score params with the per-topic ones (`topics[t].scoreParams`) merged in. */
export function scoreParamsOf (cfg: AdapterConfig): ScoreParamsInit {
  const base = cfg.scoreParams ?? {}
  const topics: Record<string, Partial<TopicScoreParams>> = { ...base.topics }
  for (const [topic, t] of Object.entries(cfg.topics)) {
    if (t.scoreParams !== undefined) { topics[topic] = { ...topics[topic], ...t.scoreParams } }
  }
  return { ...base, topics }
}
