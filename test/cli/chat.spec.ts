import { fileURLToPath } from 'node:url'
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
    const alice = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0', '--metrics-port', '0'])
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

    // Prometheus text from alice: the command's gauges and the router's own metrics
    const [url] = await alice.waitFor('stderr', /http:\/\/127\.0\.0\.1:\d+\/metrics/)
    const metrics = await (await fetch(url)).text()
    expect(metrics).to.match(/^meshsub_node_messages_total\{kind="received"\} 1$/m)
    expect(metrics).to.match(/^meshsub_node_messages_total\{kind="published"\} 1$/m)
    expect(metrics).to.match(/^meshsub_node_mesh_peers\{topic="chat"\} 1$/m)
    expect(metrics).to.match(/^meshsub_mesh_peers\{topic="chat"\} 1$/m)
    expect(metrics).to.match(/^meshsub_messages_delivered_total\{topic="chat"\} 1$/m)
    expect(metrics).to.match(/^# TYPE libp2p_\w+ (gauge|counter)$/m)

    alice.child.kill('SIGINT')
    bob.child.kill('SIGINT')
    expect(await alice.exit).to.equal(0)
    expect(await bob.exit).to.equal(0)
    expect(alice.stderr).to.match(/SIGINT: stopping/)
  })

  it('a mesh peer that vanishes (killed, no PRUNE) is reported: "mesh chat: 0 peers"', async () => {
    const alice = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0'])
    procs.push(alice)
    const [addr] = await alice.waitFor('stderr', /listening on (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+)/)
    const bob = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', addr.replace('listening on ', '')])
    procs.push(bob)
    await alice.waitFor('stderr', /mesh chat: 1 peer\n/)
    bob.child.kill('SIGKILL')
    await alice.waitFor('stderr', /mesh chat: 1 peer\n(.*\n)*mesh chat: 0 peers\n/, 15_000)
    alice.child.kill('SIGINT')
    expect(await alice.exit).to.equal(0)
  })

  it('Ctrl-C on the command as the README runs it from a clone (the whole process group gets SIGINT): exit 0', async () => {
    const node = fileURLToPath(new URL('../../node_modules/.bin/node', import.meta.url))
    // a terminal sends Ctrl-C's SIGINT to every process of the foreground group
    const p = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0'], { execPath: node, detached: true })
    procs.push(p)
    await p.waitFor('stderr', /listening on/)
    process.kill(-(p.child.pid as number), 'SIGINT')
    expect(await p.exit).to.equal(0)
    expect(p.stderr).to.match(/SIGINT: stopping/)
  })

  it('an unreachable bootstrap peer is reported and retried; the node still stops cleanly', async () => {
    const id = '12D3KooWGX3drWHjDtvuKKXmoZ9hW2tKgqhmPk6CSif8jtBKjcke'
    const lonely = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${id}`])
    procs.push(lonely)
    await lonely.waitFor('stderr', /could not dial \/ip4\/127\.0\.0\.1\/tcp\/1\/p2p\/\w+: .* \(retrying every 10 s\)/)
    lonely.child.stdin.write('anyone?\n')
    await lonely.waitFor('stderr', /not published: .*NoPeersSubscribedToTopic.*no peer has joined chat yet/)
    lonely.child.kill('SIGINT')
    expect(await lonely.exit).to.equal(0)
  })
})
