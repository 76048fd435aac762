// Worked example of docs/scoring-tuning.md: score parameters for a validator network from the
// calculator, then the CVE-2022-47547 pattern replayed against three parameter sets in virtual time.
/* eslint-disable no-console -- an example script: printing is its output */
// Run: npx node examples/scoring/validator-network.ts

import { msgIdKey } from '../../src/core/msgid.ts'
import { calculatePeerScoreParams, createPeerScoreParams, createTopicScoreParams } from '../../src/index.ts'
// PeerScore is the pure score module the router uses; it is not part of the package's root export
import { PeerScore } from '../../src/score/index.ts'
import type { PeerScoreParams } from '../../src/index.ts'

// ── 1. parameters for a validator network ───────────────────────────────────────────────────────
const calc = calculatePeerScoreParams({
  topics: {
    beacon_block: { messagesPerSecond: 1 / 12, meshDegree: 8, topicShare: 0.4 },
    beacon_aggregate_and_proof: { messagesPerSecond: 20, meshDegree: 8, topicShare: 0.3 },
    beacon_attestation_0: { messagesPerSecond: 5, meshDegree: 8, topicShare: 0.2 },
    voluntary_exit: { messagesPerSecond: 0.01, meshDegree: 8, topicShare: 0.1, steadyTraffic: false }
  }
})

const r = (x: number): string => Number(x.toPrecision(4)).toString()
console.log('## calculatePeerScoreParams: explanation\n')
for (const line of calc.explanation) { console.log(`- ${line}`) }
console.log('\n## resulting topic params\n')
console.log('| topic | topicWeight | P1 w / cap | P2 w / decay / cap | P3 w / threshold / activation ms | P4 w |')
console.log('|---|---|---|---|---|---|')
for (const [t, p] of Object.entries(calc.params.topics)) {
  console.log(`| ${t} | ${r(p.topicWeight)} | ${r(p.timeInMeshWeight)} / ${p.timeInMeshCap} | ${r(p.firstMessageDeliveriesWeight)} / ${r(p.firstMessageDeliveriesDecay)} / ${r(p.firstMessageDeliveriesCap)} | ` +
    `${r(p.meshMessageDeliveriesWeight)} / ${r(p.meshMessageDeliveriesThreshold)} / ${p.meshMessageDeliveriesActivation} | ${r(p.invalidMessageDeliveriesWeight)} |`)
}
const pp = calc.params
console.log(`\npeer level: topicScoreCap ${pp.topicScoreCap}, P6 weight ${pp.IPColocationFactorWeight} over ${pp.IPColocationFactorThreshold} peers/IP, P7 weight ${r(pp.behaviourPenaltyWeight)} over ${pp.behaviourPenaltyThreshold}, retainScore ${pp.retainScore} ms`)
console.log(`thresholds: ${JSON.stringify(calc.thresholds)}`)

// ── 2. CVE-2022-47547: never forwards in `blocks`, delivers every `attestations` message first ──
let counter = 0
function msg (topic: string): { id: Uint8Array, idKey: ReturnType<typeof msgIdKey>, topic: string } {
  const id = new TextEncoder().encode(`m${counter++}`)
  return { id, idKey: msgIdKey(id), topic }
}

/** 3 mesh peers in both topics, 5 msg/s each; h1 delivers blocks first, atk delivers attestations first */
function attack (params: PeerScoreParams, seconds: number): { atk: number, h1: number, s: PeerScore } {
  const s = new PeerScore(params, {}, { now: 0 })
  for (const x of ['atk', 'h1', 'h2']) {
    s.addPeer(x, 0)
    for (const t of ['blocks', 'attestations']) { s.graft(x, t, 0) }
  }
  let now = 0
  for (let sec = 0; sec < seconds; sec++) {
    for (let i = 0; i < 5; i++) {
      const b = msg('blocks')
      s.validateMessage('h1', b, now)
      s.deliverMessage('h1', b, now)
      s.duplicateMessage('h2', b, now + 5)
      const a = msg('attestations')
      s.validateMessage('atk', a, now)
      s.deliverMessage('atk', a, now)
      s.duplicateMessage('h1', a, now + 5)
      s.duplicateMessage('h2', a, now + 5)
    }
    now += 1000
    s.handleTimeout(now)
  }
  return { atk: s.score('atk'), h1: s.score('h1'), s }
}

const inputs = { topics: { blocks: { messagesPerSecond: 5 }, attestations: { messagesPerSecond: 5 } } }
const recommended = calculatePeerScoreParams(inputs).params
const weak = calculatePeerScoreParams(inputs).params
for (const tp of Object.values(weak.topics)) { tp.meshMessageDeliveriesWeight /= 4 }
const js = createPeerScoreParams({ topics: { blocks: createTopicScoreParams(), attestations: createTopicScoreParams() } })

console.log('\n## CVE-2022-47547 pattern (3 mesh peers, 5 msg/s per topic)\n')
console.log('| parameters | seconds | attacker score | honest h1 score | attacker P1 / P2 / P3 deficit² (blocks, attestations) |')
console.log('|---|---|---|---|---|')
for (const [name, params, seconds] of [['calculator (recommended)', recommended, 4000], ['calculator, P3 weight ÷ 4', weak, 4000], ['@libp2p/gossipsub default topic params', js, 60]] as const) {
  const { atk, h1, s } = attack(params, seconds)
  const snap = s.getScoreSnapshot('atk')
  const parts = ['blocks', 'attestations'].map(t => {
    const c = snap?.topics[t]
    return `${t}: ${r(c?.p1.value ?? 0)} / ${r(c?.p2.value ?? 0)} / ${r(c?.p3.value ?? 0)}`
  }).join('; ')
  console.log(`| ${name} | ${seconds} | ${r(atk)} | ${r(h1)} | ${parts} |`)
}
