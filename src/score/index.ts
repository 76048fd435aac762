// Public face of the score module (a future `meshsub/score` export): params, thresholds, the
// PeerScore provider, snapshots, threshold events and tuning helpers. No logic lives here.

export { PeerScore } from './peer-score.ts'
export type { PeerScoreOptions } from './peer-score.ts'
export {
  createPeerScoreParams, createTopicScoreParams, defaultPeerScoreParams, defaultTopicScoreParams,
  validatePeerScoreParams, validateTopicScoreParams
} from './params.ts'
export type { PeerScoreParams, PeerScoreParamsInit, TopicScoreParams } from './params.ts'
export { createPeerScoreThresholds, defaultPeerScoreThresholds, validatePeerScoreThresholds } from './thresholds.ts'
export type { PeerScoreThresholds } from './thresholds.ts'
export { InvalidPeerScoreParamsError, InvalidPeerScoreThresholdsError, ScoreParamsError } from './errors.ts'
export { calculatePeerScoreParams, scoreParameterDecay } from './helpers.ts'
export type { DecayOptions, ScoreCalculation, ScoreCalculatorInputs, TopicScoreInputs } from './helpers.ts'
export type { ScoreComponent, ScoreSnapshot, TopicScoreSnapshot } from './compute.ts'
export type { PenaltyCause } from './counters.ts'
export type { PeerScoreStatsDump, PeerStatsDump, TopicStatsDump } from './dump.ts'
export type { ScoreThresholdEvent, ThresholdName } from './events.ts'
export { cidrContains, colocationKey, parseCidr, parseIp } from './ip.ts'
export type { Cidr } from './ip.ts'
