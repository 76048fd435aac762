// The full frame fuzz campaign: `npm run fuzz -- --frames 1000000 [--seed N]`. Prints progress and
// a summary; failing inputs are saved under test/fuzz/fixtures/ and the exit code is 1.

import { runFrameCampaign, saveFailures } from '../test/fuzz/frame-campaign.ts'

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  if (i < 0) { return fallback }
  const v = Number(process.argv[i + 1])
  if (!Number.isSafeInteger(v) || v < 0) { throw new Error(`--${name} needs a non-negative integer`) }
  return v
}

const frames = arg('frames', 1_000_000)
const seed = arg('seed', Date.now() % 0x7fffffff)
process.stdout.write(`frame fuzz: ${frames} frames, seed ${seed}\n`)
const r = runFrameCampaign({
  frames,
  seed,
  progress: (done, p) => {
    process.stdout.write(`  ${done} frames, ${p.decoded} decoded, ${p.deliveries} deliveries, ${p.failures.length} failures, max ${p.maxFrameMs.toFixed(1)} ms/frame, ${(p.wallMs / 1000).toFixed(0)} s\n`)
  }
})
const { failures, slowest, ...summary } = r
process.stdout.write(JSON.stringify({ ...summary, failures: failures.length }, null, 1) + '\n')
if (failures.length > 0) {
  const saved = saveFailures(failures, `seed${seed}`)
  process.stdout.write(`FAILED: ${failures.length} inputs saved as fixtures: ${saved.join(', ')}\nfirst: ${failures[0].error}\n`)
  process.exitCode = 1
} else {
  process.stdout.write(`OK: 0 uncaught exceptions, 0 invariant violations, max ${r.maxFrameMs.toFixed(1)} ms per frame${slowest === undefined ? '' : ` (${r.slowestFrameBytes} bytes)`}\n`)
}
