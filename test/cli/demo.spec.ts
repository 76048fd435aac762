import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'aegir/chai'
import { DEMO, run, runToEnd } from './proc.ts'

describe('cli: demo (npm start)', function () {
  this.timeout(30_000)

  it('a small network runs, prints progress and a summary with every message delivered, writes the report, exits 0', async () => {
    const report = join(tmpdir(), `meshsub-demo-${process.pid}.html`)
    try {
      const started = Date.now()
      const { code, stdout, stderr } = await runToEnd(DEMO, ['--nodes', '5', '--rate', '10', '--duration', '3', '--seed', '3', '--report', report], 25_000)
      expect(code, stderr).to.equal(0)
      expect(Date.now() - started).to.be.below(20_000)
      expect(stdout).to.match(/meshsub demo: 5 nodes, 10 msg\/s of 1024 B for 3 s, StrictSign, seed 3/)
      expect(stdout).to.match(/meshes formed/)
      // not a TTY: plain progress lines
      expect(stdout).to.match(/^\[\s*[\d.]+ s\] published\s+\d+ · delivered/m)
      expect(stdout).to.match(/Summary/)
      expect(stdout).to.match(/messages published\s+30 in/)
      expect(stdout).to.match(/delivered\s+100\.0% \(120 of 120 expected deliveries; 30 of 30 messages reached all 4 other nodes\)/)
      expect(stdout).to.match(/latency\s+p50 [\d.]+ ms · p90 [\d.]+ ms · p99 [\d.]+ ms · max [\d.]+ ms/)
      expect(stdout).to.match(/mesh degree\s+min \d+ · avg [\d.]+ · max \d+/)
      const html = await readFile(report, 'utf8')
      expect(html).to.match(/^<!doctype html>/)
      expect(html.match(/<svg /g)).to.have.length(3)
      expect(html).to.match(/Latency CDF/)
      expect(html).to.not.match(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/)
    } finally {
      await rm(report, { force: true })
    }
  })

  it('Ctrl-C stops publishing early and still prints the summary (exit 130)', async () => {
    const p = run(DEMO, ['--nodes', '3', '--rate', '5', '--duration', '60'])
    try {
      await p.waitFor('stdout', /published\s+\d+ · delivered/, 20_000)
      p.child.kill('SIGINT')
      expect(await p.exit).to.equal(130)
      expect(p.stdout).to.match(/interrupted: publishing stopped early/)
      expect(p.stdout).to.match(/delivered\s+100\.0%/)
    } finally {
      if (p.child.exitCode === null) { p.child.kill('SIGKILL') }
    }
  })
})
