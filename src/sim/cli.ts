// The `npm run sim` command: runs named scenarios at a chosen size and seed, prints the figures of
// the README's Reliability section with each pass line's verdict, and writes JSON and a self-contained HTML report.

import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { htmlReport, figureLines, jsonReport } from './report.ts'
import { judge, runScenario } from './run.ts'
import { scaledTimeline, scenarioByName, scenarios } from './scenarios.ts'
import type { RunResult } from './run.ts'
import type { ScenarioSpec } from './scenario.ts'

const usage = `usage: npm run sim -- --scenario NAME[,NAME…]|all [--honest N] [--sybils M] [--seed S]
                      [--rate MSG_PER_S] [--duration S] [--timeline FACTOR] [--report out.html] [--json out.json] [--list]
  --timeline 0.5 scales attack, measurement, heal and end times (the CI timeline)
scenarios: ${scenarios.map(s => s.name).join(', ')}`

const out = (s: string): void => { process.stdout.write(s + '\n') }

const num = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) { return undefined }
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) { throw new Error(`--${name} must be a number ≥ 0, got ${v}`) }
  return n
}

export function main (argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      honest: { type: 'string' },
      sybils: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      timeline: { type: 'string' },
      report: { type: 'string' },
      json: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean' }
    }
  })
  if (values.help === true || values.list === true || values.scenario === undefined) {
    out(values.list === true ? scenarios.map(s => `${s.name.padEnd(20)} ${s.summary}`).join('\n') : usage)
    return values.scenario === undefined && values.list !== true && values.help !== true ? 2 : 0
  }
  const names = values.scenario === 'all' ? scenarios.map(s => s.name) : values.scenario.split(',')
  const specs = names.map(n => {
    const s = scenarioByName(n)
    if (s === undefined) { throw new Error(`unknown scenario ${n}\n${usage}`) }
    return s
  })
  const t0 = performance.now()
  const opts = {
    seed: num(values.seed, 'seed') ?? 1,
    honest: num(values.honest, 'honest'),
    sybils: num(values.sybils, 'sybils'),
    progress: (t: number, end: number): void => { process.stderr.write(`  … ${t / 1000} of ${end / 1000} simulated s (${((performance.now() - t0) / 1000).toFixed(0)} s wall)\n`) }
  }
  const rate = num(values.rate, 'rate')
  const duration = num(values.duration, 'duration')
  const timeline = num(values.timeline, 'timeline')
  const adjust = (s: ScenarioSpec): ScenarioSpec => ({
    ...(timeline === undefined ? s : scaledTimeline(s, timeline)),
    ...(rate === undefined ? {} : { rate }),
    ...(duration === undefined ? {} : { duration: duration * 1000 })
  })
  let baseline: RunResult | undefined
  const runs: RunResult[] = []
  for (const spec of specs.map(adjust)) {
    if (baseline === undefined && spec.pass.some(p => p.relToBaseline === true)) {
      process.stderr.write(`baseline (for the relative pass lines of ${spec.name}), seed ${opts.seed}\n`)
      baseline = runScenario(adjust(scenarioByName('baseline') as ScenarioSpec), opts)
    }
    process.stderr.write(`${spec.name}, seed ${opts.seed}\n`)
    const r = runScenario(spec, opts)
    r.pass = judge(spec, r.figures, baseline?.figures)
    if (spec.name === 'baseline') { baseline = r }
    runs.push(r)
    out(figureLines(r).join('\n'))
    out(`  rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB\n`)
  }
  if (values.report !== undefined) {
    writeFileSync(values.report, htmlReport(runs))
    out(`wrote ${values.report}`)
  }
  const json = values.json ?? (values.report === undefined ? undefined : values.report.replace(/\.html?$/, '') + '.json')
  if (json !== undefined) {
    writeFileSync(json, jsonReport(runs))
    out(`wrote ${json}`)
  }
  return 0
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = main(process.argv.slice(2))
  } catch (err) {
    process.stderr.write((err as Error).message + '\n')
    process.exitCode = 2
  }
}
