// Score parameters and thresholds of the kind consensus clients use: weights per topic kind, slot-
// based decays, deep negative thresholds (numbers from public client configurations, simplified).

/** a slot, ms */
export const SLOT_MS = 12_000
/** one heartbeat, ms (the eth2 p2p spec's 0.7 s) */
export const HEARTBEAT_MS = 700

export const scoreThresholds = {
  gossipThreshold: -4000,
  publishThreshold: -8000,
  graylistThreshold: -16000,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5
}

/** the decay factor that takes a counter to 1% after `slots` slots, one step per slot */
function decayOver (slots: number): number {
  return 0.01 ** (1 / slots)
}

/** one topic's parameters, from its share of the total weight and its expected first deliveries */
function topicParams (weight: number, firstDeliveriesCap: number): Record<string, number> {
  return {
    topicWeight: weight,
    timeInMeshWeight: 0.0333,
    timeInMeshQuantum: SLOT_MS,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: decayOver(20),
    firstMessageDeliveriesCap: firstDeliveriesCap,
    // mesh delivery deficits are only counted after a long activation (32 slots), as clients do
    meshMessageDeliveriesWeight: -0.5,
    meshMessageDeliveriesDecay: decayOver(10),
    meshMessageDeliveriesCap: 10,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 2000,
    meshMessageDeliveriesActivation: 32 * SLOT_MS,
    meshFailurePenaltyWeight: -0.5,
    meshFailurePenaltyDecay: decayOver(10),
    invalidMessageDeliveriesWeight: -99,
    invalidMessageDeliveriesDecay: decayOver(50)
  }
}

/** Peer score parameters for the app's topics (topic string → its kind's weights). */
export function scoreParams (topics: Map<string, string>): Record<string, unknown> {
  const byKind: Record<string, Record<string, number>> = {
    beacon_block: topicParams(0.5, 23),
    beacon_aggregate_and_proof: topicParams(0.5, 179),
    beacon_attestation_0: topicParams(1 / 64, 74)
  }
  const params: Record<string, Record<string, number>> = {}
  for (const [topic, kind] of topics) { params[topic] = byKind[kind] }
  return {
    topics: params,
    topicScoreCap: 53.75,
    appSpecificScore: () => 0,
    appSpecificWeight: 1,
    IPColocationFactorWeight: -53.75,
    // local test networks share one IP; a client on the internet uses 3
    IPColocationFactorThreshold: 100,
    IPColocationFactorWhitelist: new Set<string>(),
    behaviourPenaltyWeight: -15.9,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: decayOver(10),
    decayInterval: SLOT_MS,
    decayToZero: 0.01,
    retainScore: 100 * SLOT_MS
  }
}
