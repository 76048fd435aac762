// The simulator's vocabulary: nodes, links, behaviour hooks and options, shared by the network,
// the adversaries, the scenario builder and the measurements. Types only, plus the sim's peer-id codec.

import type { RouterOptions } from '../config.ts'
import type { Sim } from './network.ts'
import type { LatencyModel } from './topology.ts'
import type { Router } from '../core/router.ts'
import type { InRpc, OutRpc, PeerIdCodec, PeerKey, ScoreProvider } from '../core/types.ts'

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Peer keys are plain strings in the simulator; their "bytes" are the UTF-8 of the string. */
export const simPeerIds: PeerIdCodec = {
  toKey: (bytes) => bytes.length === 0 ? undefined : dec.decode(bytes),
  toBytes: (key) => enc.encode(key)
}

/**
 * A composable piece of node behaviour. Hooks see the node's traffic around its real core:
 * `onSend` may rewrite or drop (null) what the core sends, `onReceive` what reaches the core;
 * `onTick` runs every `tickMs` while the node lives. Honest nodes have none.
 */
export interface Behaviour {
  readonly name: string
  onSend?(node: SimNode, to: PeerKey, rpc: OutRpc): OutRpc | null
  onReceive?(node: SimNode, from: PeerKey, rpc: InRpc): InRpc | null
  onTick?(node: SimNode): void
  tickMs?: number
}

export interface NodeSpec {
  key: PeerKey
  /** counted in delivery figures; adversaries are not */
  honest: boolean
  ip?: string
  /** index into a matrix latency model */
  cluster?: number
  router?: RouterOptions
  score?: ScoreProvider
  /** upload / download bandwidth in bits per second; 0 = unlimited */
  upBps?: number
  downBps?: number
  /** ms between a message's arrival and its validation verdict */
  validationDelay?: number
  behaviours?: Behaviour[]
  /** heartbeat phase offset, ms */
  phase?: number
}

export interface SimNode {
  readonly sim: Sim
  readonly key: PeerKey
  /** index in `sim.all` (a re-joining identity gets a new record and index) */
  readonly idx: number
  readonly honest: boolean
  readonly ip: string | undefined
  readonly cluster: number
  readonly router: Router
  readonly score: ScoreProvider | undefined
  readonly behaviours: Behaviour[]
  readonly links: Map<PeerKey, Link>
  readonly upBps: number
  readonly downBps: number
  readonly validationDelay: number
  readonly joinedAt: number
  leftAt: number
  alive: boolean
  upFreeAt: number
  downFreeAt: number
  timerAt: number
  /** idKey → time the application got it */
  readonly delivered: Map<string, number>
  duplicates: number
  /** messages dropped from the upload backlog for staleness */
  dropped: number
  bytesOut: number
  bytesIn: number
  rpcsIn: number
}

export interface Link {
  readonly a: SimNode
  readonly b: SimNode
  /** base one-way latency, ms */
  readonly latency: number
  /** arrival time of the last RPC each way (a stream keeps order under jitter) */
  lastAB: number
  lastBA: number
  /** probability that each message (data) crossing is lost; control still flows */
  loss: number
  open: boolean
}

export interface SimOptions {
  seed: number
  latency?: LatencyModel
  /** per-RPC latency variation as a fraction (0.1 = ±10%) */
  jitter?: number
  /** default message loss per link */
  loss?: number
  /** PX/direct `dial` outputs connect to the named node if alive */
  autoDial?: boolean
  /** RPCs for which this returns true are timed in wall-clock time (`Sim.timing`) */
  timeRpc?(from: SimNode, to: SimNode): boolean
}

/** Wall-clock cost of the timed RPCs, split by whether the core ignored them (graylisted sender). */
export interface RpcTiming { rpcs: number, ms: number, ignored: number, ignoredMs: number }
