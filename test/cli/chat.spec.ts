import { expect } from 'aegir/chai'
import { BIN, run } from './proc.ts'
import type { Proc } from './proc.ts'

describe('cli: meshsub node (examples/chat)', function () {
  this.timeout(40_000)
  const procs: Proc[] = []

  afterEach(async () => {
    for (const p of procs) { if (p.child.exitCode === null) { p.child.kill('SIGKILL') } }
    await Promise.all(procs.map(async p => p.exit))
    procs.length = 0
  })

  it('two processes chat: a line typed in one is printed by the other, both ways; SIGINT exits 0', async () => {
    const alice = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0'])
    procs.push(alice)
    const [addr] = await alice.waitFor('stderr', /listening on (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+)/)
    const bob = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', addr.replace('listening on ', ''), '--json', '--stamp'])
    procs.push(bob)
    await Promise.all([alice.waitFor('stderr', /mesh chat: 1 peer\n/), bob.waitFor('stderr', /mesh chat: 1 peer\n/)])

    alice.child.stdin.write('hello from alice\n')
    const [line] = await bob.waitFor('stdout', /^\{.*hello from alice.*\}$/m)
    const msg = JSON.parse(line)
    const aliceId = (await alice.waitFor('stderr', /peer id (\w+)/))[1]
    expect(msg).to.include({ topic: 'chat', from: aliceId, via: aliceId, data: 'hello from alice' })
    expect(msg.msgId).to.be.a('string').that.is.not.empty()
    expect(msg).to.not.have.property('latencyMs') // alice does not stamp

    bob.child.stdin.write('hi alice\n')
    const [text] = await alice.waitFor('stdout', /^\[chat\] \w+: hi alice \([\d.]+ ms\)$/m)
    expect(text).to.match(/hi alice/)

    alice.child.kill('SIGINT')
    bob.child.kill('SIGINT')
    expect(await alice.exit).to.equal(0)
    expect(await bob.exit).to.equal(0)
    expect(alice.stderr).to.match(/SIGINT: stopping/)
  })
})
