// `meshsub node` for browsers, run as a real process: WebSockets listening (the printed browser
// addresses are dialled by real libp2p clients) and the circuit relay server (--relay).

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../../src/index.ts'
import { BIN, run } from './proc.ts'
import type { Proc } from './proc.ts'
import type { GossipSub } from '../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

type Client = Libp2p<{ pubsub: GossipSub, identify: unknown }>

/** A WebSockets-only client, as a browser would be (plus the relay transport when asked). */
async function wsClient (relay = false): Promise<Client> {
  return createLibp2p({
    addresses: { listen: relay ? ['/p2p-circuit'] : [] },
    transports: relay ? [webSockets(), circuitRelayTransport()] : [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), pubsub: gossipsub() }
  }) as unknown as Promise<Client>
}

describe('cli: meshsub node over WebSockets and as a circuit relay', function () {
  this.timeout(60_000)
  const procs: Proc[] = []
  const clients: Client[] = []

  afterEach(async () => {
    await Promise.all(clients.map(async c => c.stop()))
    clients.length = 0
    for (const p of procs) { if (p.child.exitCode === null) { p.child.kill('SIGKILL') } }
    await Promise.all(procs.map(async p => p.exit))
    procs.length = 0
  })

  it('prints the WebSockets addresses; a WebSockets-only client dials one and chats both ways', async () => {
    const node = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/tcp/0/ws', '--json'])
    procs.push(node)
    const [, wsAddr] = await node.waitFor('stderr', /browser address (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/ws\/p2p\/\w+)\n/)
    // the TCP address is listed, but is not offered to browsers
    const [, tcpAddr] = await node.waitFor('stderr', /listening on (\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\w+)\n/)
    expect(node.stderr).to.not.include(`browser address ${tcpAddr}`)
    expect(node.stderr).to.not.match(/circuit relay on/)

    const client = await wsClient()
    clients.push(client)
    client.services.pubsub.subscribe('chat')
    const conn = await client.dial(multiaddr(wsAddr))
    expect(conn.remoteAddr.toString()).to.match(/\/ws\//)
    await node.waitFor('stderr', /mesh chat: 1 peer\n/, 20_000)

    node.child.stdin.write('hello browser\n')
    const data = await new Promise<Uint8Array>(resolve => {
      client.services.pubsub.addEventListener('message', e => { if (e.detail.topic === 'chat') { resolve(e.detail.data) } })
    })
    expect(new TextDecoder().decode(data)).to.equal('hello browser')

    await client.services.pubsub.publish('chat', new TextEncoder().encode('hello terminal'))
    const [line] = await node.waitFor('stdout', /^\{.*hello terminal.*\}$/m)
    expect(JSON.parse(line)).to.include({ topic: 'chat', from: client.peerId.toString(), data: 'hello terminal' })

    node.child.kill('SIGINT')
    expect(await node.exit).to.equal(0)
  })

  it('without a WebSockets listener it says browsers cannot dial it', async () => {
    const node = run(BIN, ['node', '--topic', 'chat', '--listen', '/ip4/127.0.0.1/tcp/0'])
    procs.push(node)
    await node.waitFor('stderr', /no WebSockets address: browsers cannot dial this node \(add --listen \/ip4\/0\.0\.0\.0\/tcp\/4002\/ws\)/)
    expect(node.stderr).to.not.match(/browser address/)
  })

  it('--relay: a client reserves a slot and another reaches it through the relay (a limited, relayed connection)', async () => {
    const node = run(BIN, ['node', '--topic', 'chat', '--relay', '--listen', '/ip4/127.0.0.1/tcp/0/ws'])
    procs.push(node)
    const [, wsAddr] = await node.waitFor('stderr', /browser address (\S+)\n/)
    await node.waitFor('stderr', new RegExp(`circuit relay on: browsers reserve a slot at ${wsAddr}/p2p-circuit`))

    const [listener, dialer] = await Promise.all([wsClient(true), wsClient(true)])
    clients.push(listener, dialer)
    await listener.dial(multiaddr(wsAddr))
    // the reservation shows up as a /p2p-circuit address of the listener
    const circuit = await new Promise<string>(resolve => {
      const check = (): void => {
        const a = listener.getMultiaddrs().map(String).find(s => s.includes('/p2p-circuit/'))
        if (a !== undefined) { listener.removeEventListener('self:peer:update', check); resolve(a) }
      }
      listener.addEventListener('self:peer:update', check)
      check()
    })
    expect(circuit).to.equal(`${wsAddr}/p2p-circuit/p2p/${listener.peerId.toString()}`)

    const conn = await dialer.dial(multiaddr(circuit))
    expect(conn.remotePeer.equals(listener.peerId)).to.equal(true)
    expect(conn.remoteAddr.toString()).to.include('/p2p-circuit')
    expect(conn.limits).to.not.equal(undefined)
  })
})
