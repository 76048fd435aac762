// The spam soak on real libp2p nodes: `npm run soak -- --minutes 10` (default 10). Prints the figures
// as JSON; exits 1 when a state counter exceeded its bound or honest delivery fell below 99.9%.

import { runSoak } from '../test/soak/soak.ts'

const i = process.argv.indexOf('--minutes')
const minutes = i < 0 ? 10 : Number(process.argv[i + 1])
if (!(minutes > 0)) { throw new Error('--minutes needs a positive number') }
const report = await runSoak({ seconds: Math.round(minutes * 60), log: (l) => { process.stdout.write(l + '\n') } })
process.stdout.write(JSON.stringify(report, null, 1) + '\n')
const fails: string[] = [...report.counterViolations]
if (!(report.attack.ratio >= 0.999)) { fails.push(`honest delivery under attack ${(report.attack.ratio * 100).toFixed(2)}% < 99.9%`) }
if (fails.length > 0) {
  process.stdout.write(`FAILED: ${fails.join('; ')}\n`)
  process.exitCode = 1
}
process.exit()
