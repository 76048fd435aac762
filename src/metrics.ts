// `meshsub/metrics`: the names `@libp2p/gossipsub/metrics` exports — the app register's types
// (MetricsRegister, Gauge, …) and the label vocabularies. Definitions only; no logic here.

export type {
  TopicLabel, TopicStrToLabel, Gauge, Histogram, AvgMinMax, GaugeConfig, HistogramConfig, AvgMinMaxConfig, MetricsRegister
} from './adapter/metrics-register.ts'

/** how a message came to be sent: our own publish or a forward */
export const MessageSource = { forward: 'forward', publish: 'publish' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type MessageSource = typeof MessageSource[keyof typeof MessageSource]

/** why a peer was added to a mesh */
export const InclusionReason = {
  Fanout: 'fanout', Random: 'random', Subscribed: 'subscribed', Outbound: 'outbound', NotEnough: 'not_enough', Opportunistic: 'opportunistic'
} as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type InclusionReason = typeof InclusionReason[keyof typeof InclusionReason]

/** why a peer left a mesh */
export const ChurnReason = { Dc: 'disconnected', BadScore: 'bad_score', Prune: 'prune', Excess: 'excess' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type ChurnReason = typeof ChurnReason[keyof typeof ChurnReason]

/** behaviour penalties by cause */
export const ScorePenalty = {
  GraftBackoff: 'graft_backoff', BrokenPromise: 'broken_promise', MessageDeficit: 'message_deficit', IPColocation: 'IP_colocation'
} as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type ScorePenalty = typeof ScorePenalty[keyof typeof ScorePenalty]

/** why an IHAVE was ignored */
export const IHaveIgnoreReason = { LowScore: 'low_score', MaxIhave: 'max_ihave', MaxIasked: 'max_iasked' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type IHaveIgnoreReason = typeof IHaveIgnoreReason[keyof typeof IHaveIgnoreReason]

/** where a send was skipped because the peer sent IDONTWANT */
export const IDontWantSkipPath = { forward: 'forward', iwant: 'iwant' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type IDontWantSkipPath = typeof IDontWantSkipPath[keyof typeof IDontWantSkipPath]

/** the score thresholds by name */
export const ScoreThreshold = { graylist: 'graylist', publish: 'publish', gossip: 'gossip', mesh: 'mesh' } as const
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the value and its type share the name, as an enum would
export type ScoreThreshold = typeof ScoreThreshold[keyof typeof ScoreThreshold]

export type PeersByScoreThreshold = Record<ScoreThreshold, number>

export interface ToSendGroupCount {
  direct: number
  floodsub: number
  mesh: number
  fanout: number
}

export interface ToAddGroupCount {
  fanout: number
  random: number
}

export type PromiseDeliveredStats =
  | { expired: false, requestedCount: number, maxDeliverMs: number }
  | { expired: true, maxDeliverMs: number }

export interface TopicScoreWeights<T> {
  p1w: T
  p2w: T
  p3w: T
  p3bw: T
  p4w: T
}

export interface ScoreWeights<T> {
  byTopic: Map<string, TopicScoreWeights<T>>
  p5w: T
  p6w: T
  p7w: T
  score: T
}
