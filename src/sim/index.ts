// The `meshsub/sim` export: a deterministic network simulator of real meshsub router cores with
// real peer scoring, its adversary library, the scenario catalogue and the report writers.

export { Sim, simPeerIds } from './network.ts'
export type { Behaviour, Link, NodeSpec, RpcTiming, SimNode, SimOptions } from './network.ts'
export { EventHeap } from './heap.ts'
export type { Timed } from './heap.ts'
export { clustered, complete, components, drawLatency, randomDegreeRange, randomRegular } from './topology.ts'
export type { Edge, LatencyModel } from './topology.ts'
export { rpcBytes } from './wire-size.ts'
export {
  after, censor, degrade, firstDeliveryGamer, hostilePrune, idontwantFlooder, ihaveSpammer, invalidSpammer,
  iwantRepeater, MAX_BACKOFF_SECONDS, pxSpammer, regraftInBackoff, squatter, subscriptionFlooder, SYBIL_IP
} from './adversary.ts'
export type { BehaviourName } from './adversary.ts'
export type { AttackSpec, BehaviourSpec, PassLine, ScenarioSpec } from './scenario.ts'
export { scenarioByName, scenarios } from './scenarios.ts'
export { build, resolve, TOPIC } from './build.ts'
export type { Built, Resolved } from './build.ts'
export { judge, runScenario } from './run.ts'
export type { Figures, PassVerdict, RunOptions, RunResult } from './run.ts'
export { figureLines, htmlReport, jsonReport, svgPlot } from './report.ts'
