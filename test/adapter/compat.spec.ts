import { gossipsub as reference } from '@libp2p/gossipsub'
import { expect } from 'aegir/chai'
import { StrictNoSign, StrictSign } from '../../src/index.ts'
import { collect, createPubsubNode, stopAll } from './net.ts'
import { createNode, waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { Message, SignaturePolicy } from '../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const dec = (b: Uint8Array): string => new TextDecoder().decode(b)

interface RefPubsub {
  subscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  getSubscribers(topic: string): unknown[]
  getMeshPeers(topic: string): string[]
  addEventListener(type: 'message', fn: (e: CustomEvent<Message>) => void): void
}

for (const policy of [StrictSign, StrictNoSign] as SignaturePolicy[]) {
  describe(`interop with @libp2p/gossipsub 17 (${policy})`, function () {
    this.timeout(30_000)
    let ours: PubsubNode[] = []
    let theirs: Array<Libp2p<{ pubsub: RefPubsub }>> = []
    afterEach(async () => {
      await stopAll(ours)
      await Promise.all(theirs.map(async n => n.stop()))
      theirs = []
    })

    it('exchanges messages in both directions and forms a mesh', async () => {
      const a = await createPubsubNode('tcp', { globalSignaturePolicy: policy })
      ours = [a]
      const b = await createNode('tcp', { pubsub: reference({ globalSignaturePolicy: policy, allowPublishToZeroTopicPeers: false }) as any }) as unknown as Libp2p<{ pubsub: RefPubsub }>
      theirs = [b]
      a.services.pubsub.subscribe('x')
      b.services.pubsub.subscribe('x')
      await a.dial(b.getMultiaddrs()[0])
      await waitFor(() => a.services.pubsub.getSubscribers('x').length === 1 && b.services.pubsub.getSubscribers('x').length === 1)
      await a.services.pubsub.waitForMesh('x')
      await waitFor(() => b.services.pubsub.getMeshPeers('x').length === 1)
      const gotA = collect(a)
      const gotB: Message[] = []
      b.services.pubsub.addEventListener('message', (e) => { gotB.push(e.detail) })
      await a.services.pubsub.publish('x', enc('ours→theirs'))
      await b.services.pubsub.publish('x', enc('theirs→ours'))
      await waitFor(() => gotA.length === 1 && gotB.length === 1)
      expect(dec(gotB[0].data)).to.equal('ours→theirs')
      expect(dec(gotA[0].data)).to.equal('theirs→ours')
      expect(gotA[0].type).to.equal(policy === StrictSign ? 'signed' : 'unsigned')
      expect(gotB[0].type).to.equal(policy === StrictSign ? 'signed' : 'unsigned')
    })
  })
}
