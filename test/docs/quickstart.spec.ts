// The README's Quickstart is examples/quickstart/quickstart.ts, character for character, and it runs:
// two real nodes, a mesh, one message delivered.

import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expect } from 'aegir/chai'

const root = new URL('../../', import.meta.url)
const EXAMPLE = 'examples/quickstart/quickstart.ts'

/** the example from its first import on: what a user copies */
export async function quickstartCode (): Promise<string> {
  const file = await readFile(new URL(EXAMPLE, root), 'utf8')
  return file.slice(file.indexOf('import '))
}

describe('docs: README Quickstart', function () {
  this.timeout(60_000)

  it('the README shows examples/quickstart/quickstart.ts', async () => {
    const readme = await readFile(new URL('README.md', root), 'utf8')
    const section = readme.slice(readme.indexOf('## Quickstart'))
    const block = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('\n```', section.indexOf('```ts\n')) + 1)
    expect(block).to.equal(await quickstartCode())
  })

  it('the example runs: bob receives alice\'s message, the process exits 0', async () => {
    // `meshsub-source`: the package's export condition that maps `import 'meshsub'` to its source (no build needed)
    const child = spawn(process.execPath, ['--conditions=meshsub-source', fileURLToPath(new URL(EXAMPLE, root))], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
    expect(code, err).to.equal(0)
    expect(out).to.equal('bob received news: hello\n')
  })
})
