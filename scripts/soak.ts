// The soaks on real libp2p nodes. `npm run soak -- --minutes 10` (default 10): the spam soak, figures
// as JSON; exits 1 when a state counter exceeded its bound or honest delivery fell below 99.9%.
// `npm run soak -- --slow [--minutes M] [--default]`: the slow-peer soak (the slow node as a leaf, or
// with --default on the default mesh degrees); exits 1 when the slow node got < 99% within 6 s.

import { runSlowSoak } from '../test/soak/slow-peer.ts'
import { runSoak } from '../test/soak/soak.ts'

const i = process.argv.indexOf('--minutes')
const slow = process.argv.includes('--slow')
const defaultMinutes = slow ? 1 : 10
const minutes = i < 0 ? defaultMinutes : Number(process.argv[i + 1])
if (!(minutes > 0)) { throw new Error('--minutes needs a positive number') }
const log = (l: string): void => { process.stderr.write(l + '\n') }
const fails: string[] = []
if (slow) {
  const report = await runSlowSoak({ seconds: Math.round(minutes * 60), leaf: !process.argv.includes('--default'), log })
  process.stdout.write(JSON.stringify(report, null, 1) + '\n')
  if (!(report.slow.in6s >= 0.99)) { fails.push(`slow node got ${(report.slow.in6s * 100).toFixed(2)}% within 6 s < 99%`) }
} else {
  const report = await runSoak({ seconds: Math.round(minutes * 60), log })
  process.stdout.write(JSON.stringify(report, null, 1) + '\n')
  fails.push(...report.counterViolations)
  if (!(report.attack.ratio >= 0.999)) { fails.push(`honest delivery under attack ${(report.attack.ratio * 100).toFixed(2)}% < 99.9%`) }
}
if (fails.length > 0) {
  process.stdout.write(`FAILED: ${fails.join('; ')}\n`)
  process.exitCode = 1
}
process.exit()
