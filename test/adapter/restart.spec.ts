// A service stopped and started again on a live connection: the peer's attempt to reopen its
// stream while we were stopped must not leave it without a stream once we are back.

import { expect } from 'aegir/chai'
import { collect, connect, createNet, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'

describe('gossipsub service: restart on a live connection', function () {
  this.timeout(60_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('re-forms the mesh after each of two restarts (the peer\'s failed reopen during the stop is retried)', async () => {
    nodes = await createNet('tcp', 2)
    const [a, b] = nodes
    for (const n of nodes) { n.services.pubsub.subscribe('r') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('r')
    const got = collect(b)
    // two: each restart counts twice against the peer's 5 stream restarts a minute (ours and its reopen)
    for (let i = 0; i < 2; i++) {
      await a.services.pubsub.stop()
      await waitFor(() => b.services.pubsub.getPeers().length === 0)
      await a.services.pubsub.start()
      a.services.pubsub.subscribe('r')
      await waitFor(() => b.services.pubsub.getPeers().length === 1, 10_000)
      await a.services.pubsub.waitForMesh('r', { signal: AbortSignal.timeout(10_000) })
      await a.services.pubsub.publish('r', new Uint8Array([i]))
      await waitFor(() => got.length === i + 1)
    }
    expect(got.map(m => m.data[0])).to.deep.equal([0, 1])
  })
})
