// The public face of meshsub: the `gossipsub(init)` service factory and the public types, named as
// in `@libp2p/gossipsub` 17 so switching is a one-line import change. No logic lives here.

import { GossipSub } from './gossipsub.ts'
import type { GossipsubOpts } from './adapter/options.ts'
import type { GossipSubComponents } from './gossipsub.ts'

export const version = '0.1.0'

/** The newest protocol id spoken (`@libp2p/gossipsub` exports its newest the same way). */
export const multicodec = '/meshsub/1.3.0'

/** Creates the pubsub service for libp2p's `services` map. */
export function gossipsub (init: GossipsubOpts = {}): (components: GossipSubComponents) => GossipSub {
  return (components) => new GossipSub(components, init)
}

export { GossipSub } from './gossipsub.ts'
export type { GossipSubComponents } from './gossipsub.ts'
export { StrictSign, StrictNoSign, TopicValidatorResult } from './adapter/message.ts'
export type { SignaturePolicy, Message, SignedMessage, UnsignedMessage, RawMessage, TopicValidatorFn, MsgIdFn, FastMsgIdFn, MsgIdToStrFn, DataTransform } from './adapter/message.ts'
export type { GossipsubOpts, TopicOptions, AddrInfo, DecodeRPCLimits } from './adapter/options.ts'
export type { GossipSubEvents, GossipsubMessage, MeshPeer, PublishOpts, PublishResult, Subscription, SubscriptionChangeData, WaitForMeshOptions } from './adapter/events.ts'
export { PublishError } from './adapter/errors.ts'
export type { PublishErrorCode } from './adapter/errors.ts'
export type { OutboundCounters } from './adapter/outbound.ts'
export type { SendQueueDrops } from './adapter/send-queue.ts'
export { InvalidConfigError } from './errors.ts'
export { InvalidPeerScoreParamsError, InvalidPeerScoreThresholdsError } from './score/index.ts'
export type { TraceEvent, RejectReason, PeerKey, MsgIdKey } from './core/types.ts'
export type { WireMessage } from './types.ts'
export type { SendQueueStats } from './adapter/events.ts'
export type { ScoreParamsInit } from './adapter/options.ts'
export {
  createPeerScoreParams, createTopicScoreParams, defaultPeerScoreParams, defaultTopicScoreParams,
  defaultPeerScoreThresholds, scoreParameterDecay, calculatePeerScoreParams
} from './score/index.ts'
export type {
  PeerScoreParams, TopicScoreParams, PeerScoreThresholds, ScoreSnapshot, TopicScoreSnapshot, ScoreThresholdEvent,
  ScoreComponent, ThresholdName, PenaltyCause, ScoreCalculation, ScoreCalculatorInputs, TopicScoreInputs, DecayOptions
} from './score/index.ts'
export type { PeerScoreParamsInit } from './score/index.ts'
export type { PeerScoreStatsDump, PeerStatsDump, TopicStatsDump } from './score/dump.ts'
export type { PeerScoreView } from './adapter/views.ts'
export type { MetricsRegister, Gauge, Histogram, AvgMinMax, GaugeConfig, HistogramConfig, AvgMinMaxConfig, LabelsGeneric, NoLabels, LabelKeys, CollectFn } from './adapter/metrics-register.ts'
export type { SubOpts } from './types.ts'
