// Codec microbenchmark: encode/decode ops/s of meshsub's codec beside @libp2p/gossipsub's codec
// (protons) and protobufjs static code, interleaved in one process. Run: npm run bench:codec
/* eslint-disable no-console -- a benchmark reports on stdout */

import { RPC as RefRPC } from '@libp2p/gossipsub/message'
import { meshsub } from '../generated/rpc.js'
import { decodeRpc, encodeMessage, encodeRpc, encodeRpcFrame } from '../src/codec/index.ts'
import type { Rpc, WireMessage } from '../src/types.ts'

const pb = meshsub.pb
const WARMUP_MS = 300
const ROUND_MS = 200
const ROUNDS = 15

function bytes (n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) { b[i] = (i * 31 + seed) & 0xff }
  return b
}

const topic = 'meshsub/bench/1.0.0'
const message: WireMessage = { from: bytes(38, 1), data: bytes(1024, 2), seqno: bytes(8, 3), topic, signature: bytes(64, 4), key: undefined }
const ids = (n: number, seed: number): Uint8Array[] => Array.from({ length: n }, (_, i) => bytes(32, seed + i))
const peers = Array.from({ length: 4 }, (_, i) => ({ peerId: bytes(38, 50 + i), signedPeerRecord: bytes(120, 60 + i) }))

const cases: Array<{ name: string, rpc: Rpc }> = [
  { name: '1 message, 1 KiB data', rpc: { subscriptions: [], messages: [message] } },
  {
    name: 'control-heavy',
    rpc: {
      subscriptions: [{ subscribe: true, topic }, { subscribe: false, topic: 'other' }],
      messages: [],
      control: {
        ihave: [{ topic, messageIds: ids(100, 10) }],
        iwant: [{ messageIds: ids(20, 20) }, { messageIds: ids(20, 30) }],
        graft: [{ topic }, { topic: 'a' }, { topic: 'b' }],
        prune: [{ topic: 'c', peers, backoff: 60 }, { topic: 'd', peers, backoff: 60 }],
        idontwant: [{ messageIds: ids(10, 40) }]
      }
    }
  }
]

/** meshsub domain RPC → the shapes the other two codecs take (their field names differ) */
function toRef (rpc: Rpc): RefRPC {
  const c = rpc.control
  return {
    subscriptions: rpc.subscriptions,
    messages: rpc.messages,
    control: c === undefined
      ? undefined
      : {
          ihave: c.ihave.map(e => ({ topicID: e.topic, messageIDs: e.messageIds })),
          iwant: c.iwant.map(e => ({ messageIDs: e.messageIds })),
          graft: c.graft.map(e => ({ topicID: e.topic })),
          prune: c.prune.map(e => ({ topicID: e.topic, peers: e.peers.map(p => ({ peerID: p.peerId, signedPeerRecord: p.signedPeerRecord })), backoff: e.backoff })),
          idontwant: c.idontwant.map(e => ({ messageIDs: e.messageIds }))
        }
  }
}

function toPb (rpc: Rpc): meshsub.pb.RPC.$Properties {
  const c = rpc.control
  return {
    subscriptions: rpc.subscriptions.map(s => ({ subscribe: s.subscribe, topicid: s.topic })),
    publish: rpc.messages,
    control: c === undefined
      ? undefined
      : {
          ihave: c.ihave.map(e => ({ topicID: e.topic, messageIDs: e.messageIds })),
          iwant: c.iwant.map(e => ({ messageIDs: e.messageIds })),
          graft: c.graft.map(e => ({ topicID: e.topic })),
          prune: c.prune.map(e => ({ topicID: e.topic, peers: e.peers.map(p => ({ peerID: p.peerId, signedPeerRecord: p.signedPeerRecord })), backoff: e.backoff })),
          idontwant: c.idontwant.map(e => ({ messageIDs: e.messageIds }))
        }
  }
}

let sink = 0

/** ops/s of fn over about `ms` milliseconds */
function measure (fn: () => number, ms: number): number {
  let iterations = 0
  let batch = 64
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) { sink += fn() }
    iterations += batch
    elapsed = performance.now() - start
    if (elapsed < ms / 10) { batch *= 2 }
  }
  return iterations / (elapsed / 1000)
}

function median (xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** all three encoders must produce the same bytes, or the comparison is meaningless */
function hex (b: Uint8Array): string {
  return Array.from(b, x => x.toString(16).padStart(2, '0')).join('')
}

const rows: string[][] = []
for (const c of cases) {
  const ours = encodeRpc(c.rpc)
  const ref = toRef(c.rpc)
  const pbObj = toPb(c.rpc)
  if (hex(RefRPC.encode(ref)) !== hex(ours) || hex(pb.RPC.encode(pbObj).finish()) !== hex(ours)) {
    throw new Error(`${c.name}: the encoders disagree; the benchmark inputs are wrong`)
  }
  // the forwarding path: the message was encoded once, each frame splices it
  const spliced: Rpc = { ...c.rpc, messages: c.rpc.messages.map(m => ({ ...m, raw: encodeMessage(m) })) }
  const ops: Record<string, Record<string, () => number>> = {
    encode: {
      meshsub: () => encodeRpc(c.rpc).length,
      '@libp2p/gossipsub': () => RefRPC.encode(ref).length,
      protobufjs: () => pb.RPC.encode(pbObj).finish().length
    },
    ...(c.rpc.messages.length === 0
      ? {}
      : {
          'encode (spliced raw)': {
            meshsub: () => encodeRpc(spliced).length,
            'meshsub (frame)': () => encodeRpcFrame(spliced).length
          }
        }),
    decode: {
      meshsub: () => decodeRpc(ours).rpc.messages.length,
      '@libp2p/gossipsub': () => RefRPC.decode(ours).messages.length,
      protobufjs: () => pb.RPC.decode(ours).publish.length
    }
  }
  for (const [op, impls] of Object.entries(ops)) {
    const names = Object.keys(impls)
    for (const n of names) { measure(impls[n], WARMUP_MS) }
    const results: Record<string, number[]> = {}
    for (let r = 0; r < ROUNDS; r++) {
      // interleave implementations, alternating the order each round (ABBA)
      const order = r % 2 === 0 ? names : [...names].reverse()
      for (const n of order) { (results[n] ??= []).push(measure(impls[n], ROUND_MS)) }
    }
    const ref = results['@libp2p/gossipsub']
    for (const n of names) {
      // ratio per round (neighbouring measurements share the machine's load), then the median
      const ratio = ref === undefined ? '' : `${median(results[n].map((v, r) => v / ref[r])).toFixed(2)}×`
      rows.push([c.name, op, n, Math.round(median(results[n])).toLocaleString('en-US'), ratio])
    }
  }
  rows.push([`  (${c.name}: ${ours.length} bytes)`, '', '', '', ''])
}

const header = ['case', 'op', 'codec', 'ops/s (median)', 'vs @libp2p/gossipsub (median of per-round ratios)']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
const line = (r: string[]): string => r.map((v, i) => i === 3 ? v.padStart(widths[i]) : v.padEnd(widths[i])).join('  ')
console.log(`node ${process.version}, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms each (checksum ${sink % 997})`)
console.log(line(header))
console.log(widths.map(w => '-'.repeat(w)).join('  '))
for (const r of rows) { console.log(line(r)) }
