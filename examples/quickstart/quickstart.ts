// The README's Quickstart as a program that runs: two meshsub nodes on loopback TCP, one topic,
// one message. test/docs/quickstart.spec.ts runs it and checks the README shows this very code.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { gossipsub } from 'meshsub'

// one set of options for both nodes (transports and services are factories, called per node);
// each node gets its own copy, since createLibp2p stores the generated key in the object it is given
const options = {
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub() }
}
const alice = await createLibp2p({ ...options })
const bob = await createLibp2p({ ...options })

const received = Promise.withResolvers<string>()
bob.services.pubsub.addEventListener('message', (e) => {
  received.resolve(`${e.detail.topic}: ${new TextDecoder().decode(e.detail.data)}`)
})
alice.services.pubsub.subscribe('news')
bob.services.pubsub.subscribe('news')

await alice.dial(bob.getMultiaddrs()[0])
await alice.services.pubsub.waitForMesh('news', { min: 1, signal: AbortSignal.timeout(10_000) })
await alice.services.pubsub.publish('news', new TextEncoder().encode('hello'))

process.stdout.write(`bob received ${await received.promise}\n`)
await Promise.all([alice.stop(), bob.stop()])
