// Installing meshsub as a user would, from this checkout: a packed tarball (`npm pack` builds through
// `prepare`), a git URL and `npm install <path>`; then the README Quickstart runs against the
// installed package and the `meshsub` bin answers. Slow (builds, installs): `npm run test:install`.

import { execFile, spawn } from 'node:child_process'
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect } from 'aegir/chai'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// the bin's `#!/usr/bin/env node` must find a Node ≥ 22: the one running this test first on the PATH
// and none of the test runner's NODE_OPTIONS (its `meshsub-source` condition would load src/, not dist/)
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }
delete env.NODE_OPTIONS
const quiet = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']
/** what the Quickstart imports beside meshsub (the README's install line) */
const STACK = ['libp2p', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux', '@libp2p/identify', '@libp2p/tcp']

async function sh (cmd: string, args: string[], cwd: string): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise(resolve => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('exit', code => { resolve({ code, stdout, stderr }) })
  })
}

/** an empty ESM project that installs meshsub from `spec` and holds the Quickstart */
async function app (spec: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'meshsub-app-'))
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  const r = await sh('npm', ['install', ...quiet, spec, ...STACK], dir)
  expect(r.code, `npm install ${spec}: ${r.stderr}`).to.equal(0)
  await cp(join(ROOT, 'examples/quickstart/quickstart.ts'), join(dir, 'quickstart.ts'))
  return dir
}

async function checkApp (dir: string): Promise<void> {
  const run = await sh(process.execPath, ['quickstart.ts'], dir)
  expect(run.code, run.stderr).to.equal(0)
  expect(run.stdout).to.equal('bob received news: hello\n')
  const help = await sh(join(dir, 'node_modules/.bin/meshsub'), ['--help'], dir)
  expect(help.code, help.stderr).to.equal(0)
  expect(help.stdout).to.match(/Usage: meshsub <command>/)
}

describe('install: meshsub from a packed tarball, a git URL and a path', function () {
  this.timeout(15 * 60_000)
  const dirs: string[] = []
  after(async () => { await Promise.all(dirs.map(async d => rm(d, { recursive: true, force: true }))) })

  it('npm pack builds the package (prepare: tsc of src/); installed from the tarball, the Quickstart runs and the bin answers', async () => {
    const out = await mkdtemp(join(tmpdir(), 'meshsub-pack-'))
    dirs.push(out)
    const pack = await sh('npm', ['pack', '--pack-destination', out, '--loglevel=error'], ROOT)
    expect(pack.code, pack.stderr).to.equal(0)
    const [tarball] = (await readdir(out)).filter(f => f.endsWith('.tgz'))
    const listing = await promisify(execFile)('tar', ['-tzf', join(out, tarball)])
    expect(listing.stdout).to.include('package/dist/src/index.js')
    expect(listing.stdout).to.include('package/dist/src/cli/bin.js')
    expect(listing.stdout).to.not.include('package/dist/test/')
    const dir = await app(join(out, tarball))
    dirs.push(dir)
    await checkApp(dir)
  })

  it('npm install meshsub@git+file://… (HEAD of this checkout): built while npm packs its clone; the Quickstart runs and the bin answers', async () => {
    const head = (await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd: ROOT })).stdout.trim()
    const dir = await app(`meshsub@git+file://${ROOT}#${head}`)
    dirs.push(dir)
    await checkApp(dir)
  })

  it('npm install <path> (a link to this checkout, built by its own `npm install`): the Quickstart runs and the bin answers', async () => {
    const dir = await app(ROOT)
    dirs.push(dir)
    await checkApp(dir)
  })
})
