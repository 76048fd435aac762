// Scenario (vi), meshsub only: simulator speed — the deterministic simulator (src/sim) runs its
// 'baseline' scenario (honest nodes, steady traffic, virtual time); simulated node-seconds per
// wall second, wall and CPU time of the run.

import { runScenario, scenarioByName } from '../../src/sim/index.ts'

export interface SimSpeedParams {
  honest: number
  seed: number
}

export async function simSpeed (p: SimSpeedParams): Promise<Record<string, unknown>> {
  const spec = scenarioByName('baseline')
  if (spec === undefined) { throw new Error('the simulator has no baseline scenario') }
  const r = runScenario(spec, { seed: p.seed, honest: p.honest })
  const f = r.figures
  return {
    nodes: p.honest,
    simulatedMs: r.params.duration,
    wallMs: f.wallMs,
    simCpuMs: f.cpuMs,
    nodeSecondsPerWallSecond: f.nodeSecondsPerWallSecond,
    delivery3s: f.delivery3s
  }
}
