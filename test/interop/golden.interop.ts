// Golden wire bytes both ways: every RPC go-libp2p-pubsub v0.17.0 wrote (interop/golden: all control
// kinds, PX with a signed record, extensions, the test extension, signed/unsigned/large messages)
// decodes in meshsub to the values go describes, and meshsub's own encoding of it, and of RPCs
// meshsub builds from those values, decodes in go (decodeWithGo) to the same description.

import { readFileSync } from 'node:fs'
import { expect } from 'aegir/chai'
import { decodeRpc, encodeRpc } from '../../src/codec/index.ts'
import { buildPeer, decodeWithGo } from './peers.ts'
import type { Rpc } from '../../src/types.ts'

const dir = new URL('../../interop/golden/', import.meta.url)
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as { rpcs: string[] }
type Json = Record<string, any>

const hx = (b: Uint8Array | undefined): string | undefined => b === undefined ? undefined : Buffer.from(b).toString('hex')
const unhex = (s: string | undefined): Uint8Array | undefined => s === undefined ? undefined : new Uint8Array(Buffer.from(s, 'hex'))

/** Drops undefined keys and empty lists, as go's JSON omits absent fields. */
function clean (o: Json): Json {
  const out: Json = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0)) { continue }
    out[k] = v
  }
  return out
}

/** meshsub's decoded RPC → go's JSON shape (raw fields only). */
function toGoJson (rpc: Rpc): Json {
  const c = rpc.control
  const control = c === undefined
    ? undefined
    : clean({
      ihave: c.ihave.map(e => clean({ topicID: e.topic, messageIDs: e.messageIds.map(hx) })),
      iwant: c.iwant.map(e => ({ messageIDs: e.messageIds.map(hx) })),
      graft: c.graft.map(e => clean({ topicID: e.topic })),
      prune: c.prune.map(e => clean({ topicID: e.topic, backoff: e.backoff, peers: e.peers.map(p => clean({ peerID: hx(p.peerId), signedPeerRecord: hx(p.signedPeerRecord) })) })),
      idontwant: c.idontwant.map(e => ({ messageIDs: e.messageIds.map(hx) })),
      extensions: c.extensions === undefined ? undefined : clean({ testExtension: c.extensions.testExtension, partialMessages: c.extensions.partialMessages })
    })
  return clean({
    subscriptions: rpc.subscriptions.map(s => clean({ subscribe: s.subscribe, topicid: s.topic })),
    publish: rpc.messages.map(m => clean({ from: hx(m.from), data: hx(m.data), seqno: hx(m.seqno), topic: m.topic, signature: hx(m.signature), key: hx(m.key) })),
    control,
    testExtension: rpc.testExtension === true ? {} : undefined
  })
}

/** go's JSON with the fields go derives from the bytes (peer id text, opened record) removed. */
function rawOnly (j: Json): Json {
  return JSON.parse(JSON.stringify(j, (k, v) => (k === 'peerIdText' || k === 'record' || k === 'fromPeerId') ? undefined : v))
}

/** An RPC built by meshsub from go's description (not from go's bytes). */
function fromGoJson (j: Json): Rpc {
  const c = j.control as Json | undefined
  const ids = (e: Json): Uint8Array[] => ((e.messageIDs ?? []) as string[]).map(s => unhex(s) as Uint8Array)
  return {
    subscriptions: ((j.subscriptions ?? []) as Json[]).map(s => ({ subscribe: s.subscribe, topic: s.topicid })),
    messages: ((j.publish ?? []) as Json[]).map(m => ({ from: unhex(m.from), data: unhex(m.data), seqno: unhex(m.seqno), topic: m.topic ?? '', signature: unhex(m.signature), key: unhex(m.key) })),
    control: c === undefined
      ? undefined
      : {
          ihave: ((c.ihave ?? []) as Json[]).map(e => ({ topic: e.topicID, messageIds: ids(e) })),
          iwant: ((c.iwant ?? []) as Json[]).map(e => ({ messageIds: ids(e) })),
          graft: ((c.graft ?? []) as Json[]).map(e => ({ topic: e.topicID })),
          prune: ((c.prune ?? []) as Json[]).map(e => ({ topic: e.topicID, backoff: e.backoff, peers: ((e.peers ?? []) as Json[]).map(p => ({ peerId: unhex(p.peerID), signedPeerRecord: unhex(p.signedPeerRecord) })) })),
          idontwant: ((c.idontwant ?? []) as Json[]).map(e => ({ messageIds: ids(e) })),
          extensions: c.extensions === undefined ? undefined : { testExtension: c.extensions.testExtension, partialMessages: c.extensions.partialMessages }
        },
    testExtension: j.testExtension === undefined ? undefined : true
  } as unknown as Rpc
}

describe('interop: golden wire bytes (go-libp2p-pubsub v0.17.0 ↔ meshsub codec)', function () {
  this.timeout(60_000)
  const go = { missing: undefined as string | undefined }

  before(async function () {
    this.timeout(20 * 60_000)
    const b = await buildPeer('go')
    go.missing = b.ok ? undefined : b.reason
  })

  it('covers every control kind, PX, extensions and the test extension', () => {
    expect(index.rpcs).to.include.members(['ihave', 'iwant', 'graft', 'prune', 'prune-px', 'idontwant', 'extensions', 'test-extension', 'publish-signed', 'publish-nosign', 'combined'])
  })

  for (const name of index.rpcs) {
    it(`${name}: meshsub decodes go's bytes to go's values; go decodes meshsub's encodings to the same`, async function () {
      const bytes = new Uint8Array(readFileSync(new URL(`${name}.bin`, dir)))
      const expected = JSON.parse(readFileSync(new URL(`${name}.json`, dir), 'utf8')) as Json
      const { rpc } = decodeRpc(bytes)
      expect(toGoJson(rpc)).to.deep.equal(rawOnly(expected))
      if (go.missing !== undefined) {
        process.stderr.write(go.missing + '\n')
        this.skip()
      }
      expect(await decodeWithGo(encodeRpc(rpc)), 'meshsub re-encoding of the decoded RPC').to.deep.equal(expected)
      expect(await decodeWithGo(encodeRpc(fromGoJson(expected))), 'meshsub encoding built from the values').to.deep.equal(expected)
    })
  }
})
