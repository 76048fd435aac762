import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import { expect } from 'aegir/chai'
import { Dialer } from '../../src/adapter/px.ts'
import { createNode, waitFor } from './nodes.ts'
import type { Libp2p, PrivateKey } from '@libp2p/interface'

async function sealed (key: PrivateKey, node: Libp2p): Promise<Uint8Array> {
  const record = new PeerRecord({ peerId: node.peerId, multiaddrs: node.getMultiaddrs() })
  return (await RecordEnvelope.seal(record, key)).marshal()
}

describe('adapter/px dialer', function () {
  this.timeout(20_000)
  let nodes: Libp2p[] = []
  afterEach(async () => { await Promise.all(nodes.map(async n => n.stop())) })

  it('dials a PX candidate from its verified record and refuses forged ones', async () => {
    const cKey = await generateKeyPair('Ed25519')
    const dKey = await generateKeyPair('Ed25519')
    const a = await createNode('tcp', {})
    const c = await createNode('tcp', {}, cKey)
    const d = await createNode('tcp', {}, dKey)
    nodes = [a, c, d]
    const ctrl = new AbortController()
    const dialer = new Dialer({ peerStore: a.peerStore, connectionManager: { openConnection: async (p: any, o: any) => a.dial(p, o) } as any }, a.logger.forComponent('test'), 4, ctrl.signal)

    // d's addresses signed by c's key, offered as d's record: refused, d not dialled
    dialer.dial(d.peerId.toString(), await sealed(cKey, d))
    // garbage instead of an envelope: refused
    dialer.dial(d.peerId.toString(), new Uint8Array([1, 2, 3]))
    // c's own record: accepted, its addresses stored, c dialled
    dialer.dial(c.peerId.toString(), await sealed(cKey, c))
    await waitFor(() => a.getConnections(c.peerId).length > 0)
    await waitFor(() => dialer.counters.invalidRecords === 2)
    expect(a.getConnections(d.peerId)).to.have.length(0)
    const stored = (await a.peerStore.get(c.peerId)).addresses.map(x => x.multiaddr.toString())
    expect(stored).to.include(c.getMultiaddrs()[0].toString().replace(`/p2p/${c.peerId.toString()}`, ''))
    expect(dialer.counters.dialsStarted).to.equal(3)
    ctrl.abort()
  })

  it('keeps at most maxDials dials in flight', async () => {
    const a = await createNode('tcp', {})
    nodes = [a]
    const never = new Promise<never>(() => {})
    const dialer = new Dialer({ peerStore: a.peerStore, connectionManager: { openConnection: async () => never } as any }, a.logger.forComponent('test'), 2, new AbortController().signal)
    const key = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const ids = [await key(), await key(), await key()]
    for (const id of ids) { dialer.dial(id) }
    expect(dialer.counters.dialsStarted).to.equal(2)
    expect(dialer.counters.dialsSkipped).to.equal(1)
  })
})
