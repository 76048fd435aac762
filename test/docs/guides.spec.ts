import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect } from 'aegir/chai'
import { runToEnd } from '../cli/proc.ts'

const root = new URL('../../', import.meta.url)
const read = async (file: string): Promise<string> => readFile(new URL(file, root), 'utf8')

describe('docs: guides match what the code does', function () {
  this.timeout(30_000)

  it('docs/scoring-tuning.md holds the real output of its worked example', async () => {
    const { code, stdout, stderr } = await runToEnd(fileURLToPath(new URL('examples/scoring/validator-network.ts', root)), [], 25_000)
    expect(code, stderr).to.equal(0)
    const guide = await read('docs/scoring-tuning.md')
    const lines = stdout.split('\n').filter(l => l.startsWith('|') || l.startsWith('- ') || l.startsWith('peer level') || l.startsWith('thresholds'))
    expect(lines.length).to.be.above(30)
    for (const line of lines) { expect(guide, 'line of the example output').to.include(line) }
    // the CVE-2022-47547 results the guide states
    expect(stdout).to.match(/\| calculator \(recommended\) \| 4000 \| -50\.01 \|/)
    expect(stdout).to.match(/\| calculator, P3 weight ÷ 4 \| 4000 \| 9\.994 \|/)
    expect(stdout).to.match(/\| @libp2p\/gossipsub default topic params \| 60 \| 10 \| 10 \|/)
  })

  it('every metric the README lists is registered by the code', async () => {
    const readme = await read('README.md')
    const code = (await read('src/adapter/metrics.ts')) + (await read('src/cli/node-cmd.ts'))
    const names = [...new Set(readme.match(/\bmeshsub_[a-z_]+[a-z]/g) ?? [])]
    expect(names.length).to.be.above(10)
    for (const n of names) {
      // `meshsub_messages_…_total` in the README stands for the names built from MESSAGE_EVENTS
      const probe = n === 'meshsub_messages_received_total' ? 'meshsub_messages_' : n
      expect(code, `${n} is not registered`).to.include(probe)
    }
  })
})
