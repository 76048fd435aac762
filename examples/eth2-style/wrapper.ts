// The app's gossip wrapper, shaped like a consensus client's: it configures the pubsub service
// (content ids, transform, async validation, scoring, metrics) and keeps its helpers around it.

import { dataTransform, fastMsgIdFn, msgIdFn, msgIdToStrFn } from './encoding.ts'
import { HEARTBEAT_MS, scoreParams, scoreThresholds } from './scoring.ts'
import type { SimpleRegister } from './register.ts'
import type { PeerId } from '@libp2p/interface'

/** What the app takes from the pubsub package: the only thing that changes between packages. */
export interface PubsubModule {
  gossipsub(init?: any): (components: any) => unknown
  TopicValidatorResult: { Accept: string, Ignore: string, Reject: string }
  StrictNoSign: string
}

interface GossipsubMessageDetail {
  propagationSource: PeerId
  msgId: string
  msg: { topic: string, data: Uint8Array }
}

/** What the app calls and reads on the service (both packages' class has these at runtime). */
export interface PubsubService {
  subscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<{ recipients: unknown[] }>
  addEventListener(type: 'gossipsub:message', fn: (e: CustomEvent<GossipsubMessageDetail>) => void): void
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: any): void
  getMeshPeers(topic: string): string[]
  dumpPeerScoreStats(): Record<string, { topics: Record<string, unknown> }>
  readonly mesh: Map<string, Set<string>>
  readonly topics: Map<string, Set<string>>
  readonly peers: Map<string, unknown>
  readonly score: { score(id: string): number }
}

export const KINDS = ['beacon_block', 'beacon_aggregate_and_proof', 'beacon_attestation_0'] as const
export type Kind = typeof KINDS[number]

/** Topic strings of a fork, eth2-style: /eth2/<fork digest>/<kind>/ssz_snappy. */
export function topicsOf (forkDigest: string): Map<string, Kind> {
  return new Map(KINDS.map(kind => [`/eth2/${forkDigest}/${kind}/ssz_snappy`, kind]))
}

/** A gossip object of the app: any kind carries a slot; the app rejects what does not parse. */
export interface GossipObject { slot: number, from: string, n: number }

export class Eth2Gossip {
  readonly topics: Map<string, Kind>
  readonly register: SimpleRegister
  /** accepted objects, by message id (the test checks each arrives once) */
  readonly accepted: Array<{ msgId: string, kind: Kind, obj: GossipObject }> = []
  private readonly mod: PubsubModule
  private readonly validation: { inc(labels: { result: string }): void }
  /** the app's gossip gauges, set at scrape time */
  private readonly gauges: { mesh: any, topic: any, threshold: any, score: any }
  private service: PubsubService | undefined

  constructor (mod: PubsubModule, register: SimpleRegister, forkDigest = 'ab12cd34') {
    this.mod = mod
    this.register = register
    this.topics = topicsOf(forkDigest)
    this.validation = register.gauge({ name: 'eth2_gossip_validation_total', help: 'validation results', labelNames: ['result'] })
    this.gauges = {
      mesh: register.gauge({ name: 'eth2_gossip_mesh_peers_by_type', help: 'mesh peers per gossip type', labelNames: ['type'] }),
      topic: register.gauge({ name: 'eth2_gossip_topic_peers_by_type', help: 'topic peers per gossip type', labelNames: ['type'] }),
      threshold: register.gauge({ name: 'eth2_gossip_peers_by_score_threshold', help: 'peers at or above each threshold', labelNames: ['threshold'] }),
      score: register.avgMinMax({ name: 'eth2_gossip_score', help: 'gossip scores of connected peers' })
    }
    // one collect hook refreshes all of the app's gossip gauges at scrape time
    this.gauges.mesh.addCollect(() => { this.onScrape() })
  }

  /** The pubsub service factory for libp2p's `services`, configured as a consensus client does. */
  factory (): (components: any) => unknown {
    return this.mod.gossipsub({
      globalSignaturePolicy: this.mod.StrictNoSign,
      allowPublishToZeroTopicPeers: false,
      D: 8,
      Dlo: 6,
      Dhi: 12,
      Dlazy: 6,
      heartbeatInterval: HEARTBEAT_MS,
      fanoutTTL: 60_000,
      mcacheLength: 6,
      mcacheGossip: 3,
      seenTTL: 550 * HEARTBEAT_MS,
      scoreParams: scoreParams(this.topics),
      scoreThresholds,
      awaitRpcHandler: true,
      awaitRpcMessageHandler: true,
      gossipsubIWantFollowupMs: 12_000,
      fastMsgIdFn,
      msgIdFn,
      msgIdToStrFn,
      dataTransform,
      metricsRegister: this.register,
      metricsTopicStrToLabel: new Map(this.topics),
      asyncValidation: true,
      maxOutboundBufferSize: 2 ** 24
    })
  }

  /** Takes the service libp2p built from `factory()`: subscribes and starts validating. */
  attach (service: unknown): void {
    this.service = service as PubsubService
    this.service.addEventListener('gossipsub:message', (e) => { this.onGossipsubMessage(e.detail) })
    for (const topic of this.topics.keys()) { this.service.subscribe(topic) }
  }

  private get pubsub (): PubsubService {
    if (this.service === undefined) { throw new Error('not attached') }
    return this.service
  }

  topicOf (kind: Kind): string {
    for (const [topic, k] of this.topics) { if (k === kind) { return topic } }
    throw new Error(`unknown kind ${kind}`)
  }

  async publishObject (kind: Kind, obj: GossipObject): Promise<number> {
    const res = await this.pubsub.publish(this.topicOf(kind), new TextEncoder().encode(JSON.stringify(obj)))
    return res.recipients.length
  }

  /** Publishes bytes that are not a gossip object (peers must reject them). */
  async publishRaw (kind: Kind, data: Uint8Array): Promise<void> {
    await this.pubsub.publish(this.topicOf(kind), data)
  }

  /** Validation runs later, off the event (as a client queues it), then reports the verdict. */
  private onGossipsubMessage ({ propagationSource, msgId, msg }: GossipsubMessageDetail): void {
    const kind = this.topics.get(msg.topic)
    setTimeout(() => {
      const { TopicValidatorResult } = this.mod
      let result = TopicValidatorResult.Reject
      let obj: GossipObject | undefined
      try {
        obj = JSON.parse(new TextDecoder().decode(msg.data))
        if (kind !== undefined && typeof obj?.slot === 'number' && obj.slot >= 0) { result = TopicValidatorResult.Accept }
      } catch {
        // not JSON: stays Reject
      }
      this.validation.inc({ result })
      if (result === TopicValidatorResult.Accept && kind !== undefined && obj !== undefined) { this.accepted.push({ msgId, kind, obj }) }
      this.pubsub.reportMessageValidationResult(msgId, propagationSource.toString(), result)
    }, 1)
  }

  /** Sets the app's gossip gauges from the service's state (mesh, topic peers, scores). */
  private onScrape (): void {
    const ps = this.pubsub
    for (const [gauge, peersMap] of [[this.gauges.mesh, ps.mesh], [this.gauges.topic, ps.topics]] as const) {
      for (const kind of KINDS) { gauge.set({ type: kind }, peersMap.get(this.topicOf(kind))?.size ?? 0) }
    }
    const scores: number[] = []
    const counts = { graylist: 0, publish: 0, gossip: 0, mesh: 0 }
    for (const peer of ps.peers.keys()) {
      const s = ps.score.score(peer)
      scores.push(s)
      if (s >= scoreThresholds.graylistThreshold) { counts.graylist++ }
      if (s >= scoreThresholds.publishThreshold) { counts.publish++ }
      if (s >= scoreThresholds.gossipThreshold) { counts.gossip++ }
      if (s >= 0) { counts.mesh++ }
    }
    for (const [threshold, n] of Object.entries(counts)) { this.gauges.threshold.set({ threshold }, n) }
    this.gauges.score.set(scores)
  }

  /** The state an operator reads: mesh and topic peers by kind, peers, their scores, the dump. */
  state (): { mesh: Record<string, string[]>, topicPeers: Record<string, number>, peers: number, scores: Record<string, number>, dumpedPeers: number } {
    const ps = this.pubsub
    const mesh: Record<string, string[]> = {}
    const topicPeers: Record<string, number> = {}
    for (const [topic, kind] of this.topics) {
      mesh[kind] = [...ps.mesh.get(topic) ?? []].sort()
      topicPeers[kind] = ps.topics.get(topic)?.size ?? 0
    }
    const scores: Record<string, number> = {}
    for (const peer of ps.peers.keys()) { scores[peer] = ps.score.score(peer) }
    return { mesh, topicPeers, peers: ps.peers.size, scores, dumpedPeers: Object.keys(ps.dumpPeerScoreStats()).length }
  }
}
