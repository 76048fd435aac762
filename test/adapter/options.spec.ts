import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { expect } from 'aegir/chai'
import { resolveOptions } from '../../src/adapter/options.ts'
import { validateRouterConfig } from '../../src/config.ts'
import { InvalidConfigError } from '../../src/errors.ts'
import type { GossipsubOpts } from '../../src/adapter/options.ts'

/** Every option name the reference declares, read from its published type declarations. */
function referenceOptionNames (): string[] {
  const require = createRequire(import.meta.url)
  const dir = join(dirname(require.resolve('@libp2p/gossipsub')), '')
  const names: string[] = []
  const grab = (file: string, iface: string): void => {
    const text = readFileSync(join(dir, file), 'utf8')
    const start = text.indexOf(`export interface ${iface} `)
    const body = text.slice(start, text.indexOf('\n}', start))
    for (const m of body.matchAll(/^ {4}(\w+)\??:/gm)) { names.push(m[1]) }
  }
  grab('config.d.ts', 'GossipsubOptsSpec')
  grab('index.d.ts', 'GossipsubOpts')
  return names
}

const accepted: Record<string, unknown> = {
  D: 8,
  Dlo: 6,
  Dhi: 12,
  Dscore: 4,
  Dout: 2,
  Dlazy: 6,
  heartbeatInterval: 700,
  fanoutTTL: 30_000,
  mcacheLength: 6,
  mcacheGossip: 3,
  seenTTL: 60_000,
  fallbackToFloodsub: false,
  floodPublish: false,
  batchPublish: true,
  doPX: true,
  directPeers: [],
  asyncValidation: true,
  allowPublishToZeroTopicPeers: true,
  ignoreDuplicatePublishError: true,
  awaitRpcHandler: true,
  awaitRpcMessageHandler: true,
  msgIdFn: () => new Uint8Array(1),
  fastMsgIdFn: () => 1,
  msgIdToStrFn: () => 'x',
  scoreParams: {},
  scoreThresholds: { gossipThreshold: -5 },
  gossipsubIWantFollowupMs: 2000,
  prunePeers: 8,
  pruneBackoff: 30_000,
  unsubcribeBackoff: 5000,
  graftFloodThreshold: 5000,
  opportunisticGraftPeers: 3,
  opportunisticGraftTicks: 30,
  directConnectTicks: 100,
  dataTransform: { inboundTransform: (_t: string, d: Uint8Array) => d, outboundTransform: (_t: string, d: Uint8Array) => d },
  metricsRegister: null,
  metricsTopicStrToLabel: new Map([['a', 'a']]),
  debugName: 'n',
  maxInboundStreams: 4,
  maxOutboundStreams: 4,
  runOnLimitedConnection: true,
  maxOutboundBufferSize: 1 << 20,
  maxInboundDataLength: 1 << 19,
  allowedTopics: ['a'],
  maxTopicBytesPerPeer: 4096,
  decodeRpcLimits: { maxSubscriptions: 10, maxMessages: 10, maxIhaveMessageIDs: 10, maxIwantMessageIDs: 10, maxIdontwantMessageIDs: 10, maxControlMessages: 10, maxPeerInfos: 10 },
  tagMeshPeers: false,
  gossipFactor: 0.5,
  idontwantMinDataSize: 100,
  idontwantMaxMessages: 100,
  protocols: ['/meshsub/1.1.0'],
  globalSignaturePolicy: 'StrictNoSign',
  canRelayMessage: false,
  emitSelf: true,
  messageProcessingConcurrency: 4
}

/** options the reference has that meshsub rejects, with a value that must be refused */
const rejected: Record<string, unknown> = {
  messageCache: {},
  canRelayMessage: true
}

describe('adapter/options', () => {
  it('covers every public option name of @libp2p/gossipsub 17', () => {
    const names = referenceOptionNames()
    expect(names.length).to.be.greaterThan(50)
    const missing = names.filter(n => !(n in accepted) && !(n in rejected))
    expect(missing).to.deep.equal([])
  })

  for (const [name, value] of Object.entries(accepted)) {
    it(`accepts ${name}`, () => {
      const { router } = resolveOptions({ [name]: value } as GossipsubOpts)
      expect(() => validateRouterConfig(router)).to.not.throw()
    })
  }

  for (const [name, value] of Object.entries(rejected)) {
    it(`rejects ${name}=${typeof value === 'object' ? 'object' : String(value)} with an error naming it`, () => {
      expect(() => resolveOptions({ [name]: value } as GossipsubOpts)).to.throw(InvalidConfigError, name)
        .with.property('option', name)
    })
  }

  it('maps the options to router and adapter settings', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const { router, adapter } = resolveOptions({
      gossipsubIWantFollowupMs: 1234,
      maxTopicBytesPerPeer: 999,
      unsubcribeBackoff: 777,
      directPeers: [{ id: peer, addrs: [multiaddr('/ip4/127.0.0.1/tcp/1')] }],
      fallbackToFloodsub: true,
      maxOutboundBufferSize: 5000,
      maxInboundDataLength: 70_000,
      decodeRpcLimits: { maxIhaveMessageIDs: 7, maxPeerInfos: 3 },
      topics: { t: { D: 3, Dlo: 2, Dhi: 5, Dout: 1, Dscore: 2, signaturePolicy: 'StrictNoSign', maxMessageSize: 100 } }
    })
    const config = validateRouterConfig(router)
    expect(config.iwantFollowupTime).to.equal(1234)
    expect(config.maxPeerTopicBytes).to.equal(999)
    expect(config.unsubscribeBackoff).to.equal(777)
    expect(config.directPeers).to.deep.equal([peer.toString()])
    expect(config.floodsub).to.equal(true)
    expect(config.topics.t.D).to.equal(3)
    expect(adapter.protocols).to.deep.equal(['/meshsub/1.3.0', '/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0', '/floodsub/1.0.0'])
    expect(adapter.sendQueue.maxBytes).to.equal(5000)
    // IWANT replies live as long as the requester's promise
    expect(adapter.sendQueue.gossipTtl).to.equal(1234)
    expect(resolveOptions({}).adapter.sendQueue.gossipTtl).to.equal(3000)
    expect(resolveOptions({ iwantFollowupTime: 4000, gossipQueueTtl: 2000 }).adapter.sendQueue.gossipTtl).to.equal(2000)
    expect(adapter.maxTransmitSize).to.equal(70_000)
    expect(adapter.decodeLimits).to.deep.equal({ maxIHaveIds: 7, maxPeersPerPrune: 3 })
    expect(adapter.topics.t.signaturePolicy).to.equal('StrictNoSign')
    expect(adapter.globalSignaturePolicy).to.equal('StrictSign')
    expect(validateRouterConfig(resolveOptions({ fallbackToFloodsub: false }).router).floodsub).to.equal(false)
  })

  it('rejects bad values and unknown names clearly', () => {
    expect(() => resolveOptions({ globalSignaturePolicy: 'Loose' as any })).to.throw(InvalidConfigError, 'globalSignaturePolicy=Loose')
    expect(() => resolveOptions({ msgIdFn: 3 as any })).to.throw(InvalidConfigError, 'msgIdFn must be a function')
    expect(() => resolveOptions({ topics: { t: { signaturePolicy: 'x' as any } } })).to.throw(InvalidConfigError, 'topics["t"].signaturePolicy')
    expect(() => resolveOptions({ topics: { t: { Dmax: 3 } as any } })).to.throw(InvalidConfigError, 'topics["t"].Dmax is not a per-topic option')
    expect(() => resolveOptions({ Dfoo: 1 } as any)).to.throw(InvalidConfigError, 'unknown option Dfoo')
    expect(() => resolveOptions({ maxOutboundBufferSize: -1 })).to.throw(InvalidConfigError, 'maxOutboundBufferSize=-1')
    expect(() => validateRouterConfig(resolveOptions({ topics: { t: { D: 20 } } }).router)).to.throw(InvalidConfigError, 'topics["t"].D=20')
  })
})
