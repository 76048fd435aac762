// Test helpers for the score module: messages, and params where only the component under test is on.

import { msgIdKey } from '../../src/core/msgid.ts'
import { createPeerScoreParams, createTopicScoreParams } from '../../src/score/params.ts'
import type { RouterMessage } from '../../src/core/types.ts'
import type { PeerScoreParams, PeerScoreParamsInit, TopicScoreParams } from '../../src/score/params.ts'

let counter = 0

/** A message with a fresh id on topic. */
export function msg (topic = 't'): RouterMessage {
  const id = new TextEncoder().encode(`m${counter++}`)
  return { id, idKey: msgIdKey(id), topic }
}

/** Topic params with every component off, then the overrides. */
export function topicOnly (p: Partial<TopicScoreParams>): TopicScoreParams {
  return createTopicScoreParams({
    topicWeight: 1,
    timeInMeshWeight: 0,
    firstMessageDeliveriesWeight: 0,
    meshMessageDeliveriesWeight: 0,
    meshFailurePenaltyWeight: 0,
    invalidMessageDeliveriesWeight: 0,
    ...p
  })
}

/** Peer params with every peer-level component off and no cap, then the overrides. */
export function peerOnly (p: PeerScoreParamsInit): PeerScoreParams {
  return createPeerScoreParams({
    topicScoreCap: 0,
    appSpecificWeight: 0,
    IPColocationFactorWeight: 0,
    behaviourPenaltyWeight: 0,
    ...p
  })
}
