// Self-check of the interop peers (no meshsub involved): a go and a rust peer on loopback form
// a mesh and deliver each other's messages once under both signature policies; go's golden
// RPC bytes decode back to their JSON. Not a *.spec.ts: cold peer builds take minutes.

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'aegir/chai'
import { buildPeer, decodeWithGo, startPeer, writeGoGolden } from './peers.ts'
import type { InteropPeer, PeerConfig, PeerImpl } from './peers.ts'

const COMMITTED_GOLDEN = fileURLToPath(new URL('../../interop/golden', import.meta.url))

async function eventually (check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms: ${what}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('interop peers (go-libp2p-pubsub ↔ rust-libp2p gossipsub)', function () {
  this.timeout(60_000)
  const missing = new Map<PeerImpl, string>()

  before(async function () {
    // a cold build of both peers takes a few minutes on 2 cores; warm it is a no-op
    this.timeout(20 * 60_000)
    for (const impl of ['go', 'rust'] as const) {
      const b = await buildPeer(impl)
      if (!b.ok) {
        missing.set(impl, b.reason)
      }
    }
  })

  /** Skips the running test, saying why, when a peer it needs could not be built. */
  function need (ctx: Mocha.Context, ...impls: PeerImpl[]): void {
    const reasons = impls.flatMap((i) => missing.get(i) ?? [])
    if (reasons.length > 0) {
      process.stderr.write(reasons.join('\n') + '\n')
      ctx.skip()
    }
  }

  const policies: Array<{ name: string, cfg: PeerConfig, signed: boolean }> = [
    { name: 'StrictSign, from‖seqno ids', cfg: { signaturePolicy: 'StrictSign', msgId: 'default' }, signed: true },
    { name: 'StrictNoSign, sha256 content ids', cfg: { signaturePolicy: 'StrictNoSign', msgId: 'sha256' }, signed: false }
  ]

  for (const policy of policies) {
    it(`delivers both ways exactly once with matching ids (${policy.name})`, async function () {
      need(this, 'go', 'rust')
      const topic = 'interop-self-check'
      const common: PeerConfig = { ...policy.cfg, topics: [topic], heartbeatMs: 200, scoring: true }
      const peers: InteropPeer[] = []
      try {
        const go = await startPeer('go', { ...common, seed: 'self-check-go' })
        peers.push(go)
        const goInfo = await go.ready()
        const rust = await startPeer('rust', { ...common, seed: 'self-check-rust', peers: [goInfo.addrs[0]] })
        peers.push(rust)
        const rustInfo = await rust.ready()

        await eventually(async () => (await go.mesh(topic)).includes(rustInfo.peerId) &&
          (await rust.mesh(topic)).includes(goInfo.peerId), 10_000, 'go and rust in each other\'s mesh')

        const fromGo = await go.publish(topic, 'from go')
        const fromRust = await rust.publish(topic, 'from rust')
        const atRust = await rust.waitForMessage((m) => m.msgId === fromGo)
        const atGo = await go.waitForMessage((m) => m.msgId === fromRust)
        expect(new TextDecoder().decode(atRust.data)).to.equal('from go')
        expect(new TextDecoder().decode(atGo.data)).to.equal('from rust')
        if (policy.signed) {
          expect(atRust.from).to.equal(goInfo.peerId)
          expect(atGo.from).to.equal(rustInfo.peerId)
        } else {
          expect(atRust.from).to.equal(undefined)
          expect(atGo.from).to.equal(undefined)
          expect(atRust.seqno).to.equal(undefined)
        }

        // a second heartbeat's worth of time: nothing is delivered twice
        await new Promise((resolve) => setTimeout(resolve, 500))
        expect(rust.messages()).to.have.length(1)
        expect(go.messages()).to.have.length(1)

        const goScores = await go.scores()
        const rustScores = await rust.scores()
        expect(rustScores[goInfo.peerId]?.score).to.equal(0)
        for (const s of Object.values(goScores)) {
          expect(s.behaviourPenalty).to.equal(0)
        }
      } finally {
        await Promise.all(peers.map(async (p) => p.close()))
      }
    })
  }

  it('go peers with the test extension each send one TestExtension (/meshsub/1.3.0)', async function () {
    need(this, 'go')
    const peers: InteropPeer[] = []
    try {
      const a = await startPeer('go', { seed: 'ext-a', testExtension: true })
      peers.push(a)
      const A = await a.ready()
      const b = await startPeer('go', { seed: 'ext-b', testExtension: true, peers: [A.addrs[0]] })
      peers.push(b)
      const B = await b.ready()
      await a.waitFor((e) => e.event === 'testExtension' && e.from === B.peerId, 5000, 'TestExtension from b')
      await b.waitFor((e) => e.event === 'testExtension' && e.from === A.peerId, 5000, 'TestExtension from a')
      const ext = await a.waitFor((e) => e.event === 'extensions' && e.peer === B.peerId)
      expect(ext.testExtension).to.equal(true)
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(a.events.filter((e) => e.event === 'testExtension')).to.have.length(1)
      expect(b.events.filter((e) => e.event === 'extensions')).to.have.length(1)
    } finally {
      await Promise.all(peers.map(async (p) => p.close()))
    }
  })

  it('go golden RPC bytes decode back to their JSON description', async function () {
    need(this, 'go')
    const dir = await mkdtemp(join(tmpdir(), 'meshsub-golden-'))
    try {
      await writeGoGolden(dir)
      const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { rpcs: string[] }
      expect(index.rpcs).to.include.members(['ihave', 'iwant', 'graft', 'prune-px', 'idontwant', 'extensions', 'test-extension'])
      for (const name of index.rpcs) {
        const bytes = await readFile(join(dir, `${name}.bin`))
        const expected = JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8'))
        expect(await decodeWithGo(bytes)).to.deep.equal(expected, name)
        // the committed copy (usable without go) must be what the pinned version writes
        expect(bytes.equals(await readFile(join(COMMITTED_GOLDEN, `${name}.bin`)))).to.equal(true, `${name}.bin differs from interop/golden`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
