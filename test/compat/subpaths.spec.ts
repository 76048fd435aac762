import { RPC as RefRPC } from '@libp2p/gossipsub/message'
import * as refMetrics from '@libp2p/gossipsub/metrics'
import * as refScore from '@libp2p/gossipsub/score'
import * as refTypes from '@libp2p/gossipsub/types'
import { expect } from 'aegir/chai'
import { RPC } from '../../src/message.ts'
import * as ourMetrics from '../../src/metrics.ts'
import * as ourTypes from '../../src/public-types.ts'
import * as ourScore from '../../src/score/index.ts'

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs)

describe('subpaths at run time, against @libp2p/gossipsub 17\'s', () => {
  it('meshsub/message: RPC.encode and RPC.decode speak the reference\'s codec both ways', () => {
    const rpc: RPC = {
      subscriptions: [{ subscribe: true, topic: 'a' }, { subscribe: false, topic: 'b' }],
      messages: [{ topic: 'a', data: bytes(1, 2, 3), seqno: bytes(0, 0, 0, 0, 0, 0, 0, 7), from: bytes(9, 9) }],
      control: {
        ihave: [{ topicID: 'a', messageIDs: [bytes(1), bytes(2)] }],
        iwant: [{ messageIDs: [bytes(3)] }],
        graft: [{ topicID: 'a' }],
        prune: [{ topicID: 'b', backoff: 60, peers: [{ peerID: bytes(5, 6), signedPeerRecord: bytes(7) }] }],
        idontwant: [{ messageIDs: [bytes(4)] }]
      }
    }
    const theirs = RefRPC.decode(RPC.encode(rpc))
    expect(theirs.subscriptions).to.deep.equal(rpc.subscriptions)
    expect(theirs.messages[0].data).to.deep.equal(bytes(1, 2, 3))
    expect(theirs.control?.ihave[0]).to.deep.include({ topicID: 'a' })
    expect(theirs.control?.prune[0].peers[0].peerID).to.deep.equal(bytes(5, 6))
    expect(Number(theirs.control?.prune[0].backoff)).to.equal(60)
    const back = RPC.decode(RefRPC.encode(theirs))
    expect(back.subscriptions).to.deep.equal(rpc.subscriptions)
    expect(back.messages[0].seqno).to.deep.equal(rpc.messages[0].seqno)
    expect(back.control?.idontwant[0].messageIDs).to.deep.equal([bytes(4)])
    expect(back.control?.graft).to.deep.equal([{ topicID: 'a' }])
    expect(back.control?.prune[0]).to.deep.include({ topicID: 'b', backoff: 60 })
  })

  it('meshsub/message: RPC.Message.encode/decode match the reference\'s', () => {
    const m = { topic: 't', data: bytes(4, 5), key: bytes(1) }
    expect(RPC.Message.encode(m)).to.deep.equal(RefRPC.Message.encode(m))
    expect(RPC.Message.decode(RefRPC.Message.encode(m))).to.deep.include({ topic: 't', data: bytes(4, 5), key: bytes(1) })
    expect(() => RPC.decode(bytes(0x0a, 0x05, 1))).to.throw()
  })

  it('the enums\' members have the reference\'s values', () => {
    for (const name of ['SignaturePolicy', 'PublishConfigType', 'RejectReason', 'ValidateError', 'MessageStatus'] as const) {
      expect({ ...ourTypes[name] }, name).to.deep.equal(Object.fromEntries(Object.entries(refTypes[name]).filter(([k]) => Number.isNaN(Number(k)))))
    }
    for (const name of ['MessageSource', 'InclusionReason', 'ChurnReason', 'ScorePenalty', 'IHaveIgnoreReason', 'IDontWantSkipPath', 'ScoreThreshold'] as const) {
      expect({ ...ourMetrics[name] }, name).to.deep.equal({ ...refMetrics[name] })
    }
  })

  it('meshsub/types: rejectReasonFromAcceptance as the reference\'s', () => {
    for (const r of ['ignore', 'reject'] as const) {
      expect(ourTypes.rejectReasonFromAcceptance(r)).to.equal(refTypes.rejectReasonFromAcceptance(r as any))
    }
    expect(() => ourTypes.rejectReasonFromAcceptance('accept' as any)).to.throw(TypeError)
  })

  it('meshsub/score: defaults, create and validate functions agree with the reference\'s', () => {
    expect(ourScore.createPeerScoreThresholds({ gossipThreshold: -1 })).to.deep.equal(refScore.createPeerScoreThresholds({ gossipThreshold: -1 }))
    expect({ ...ourScore.createTopicScoreParams() }).to.deep.equal({ ...refScore.createTopicScoreParams() })
    const { appSpecificScore: _a, ...ours } = ourScore.createPeerScoreParams({ IPColocationFactorWhitelist: ['10.0.0.0/8'] })
    const { appSpecificScore: _b, ...theirs } = refScore.createPeerScoreParams({ IPColocationFactorWhitelist: new Set(['10.0.0.0/8']) })
    expect(ours).to.deep.equal(theirs)
    expect(() => { ourScore.validatePeerScoreThresholds(ourScore.createPeerScoreThresholds({ gossipThreshold: 1 })) }).to.throw()
    expect(() => { refScore.validatePeerScoreThresholds(refScore.createPeerScoreThresholds({ gossipThreshold: 1 })) }).to.throw()
  })
})
