import { expect } from 'aegir/chai'
import { InvalidPeerScoreParamsError, InvalidPeerScoreThresholdsError, ScoreParamsError } from '../../src/score/errors.ts'
import {
  createPeerScoreParams, createTopicScoreParams, defaultPeerScoreParams, defaultTopicScoreParams,
  validatePeerScoreParams, validateTopicScoreParams
} from '../../src/score/params.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import { createPeerScoreThresholds, defaultPeerScoreThresholds, validatePeerScoreThresholds } from '../../src/score/thresholds.ts'
import type { PeerScoreParams, PeerScoreParamsInit, TopicScoreParams } from '../../src/score/params.ts'
import type { PeerScoreThresholds } from '../../src/score/thresholds.ts'

function catchError (fn: () => void): ScoreParamsError {
  try {
    fn()
  } catch (err) {
    expect(err).to.be.instanceOf(ScoreParamsError)
    return err as ScoreParamsError
  }
  throw new Error('no error thrown')
}

describe('score/params', () => {
  it('the defaults (those of @libp2p/gossipsub 17) pass the validators', () => {
    expect(() => { validatePeerScoreParams(createPeerScoreParams({ topics: { a: {} as TopicScoreParams } })) }).to.not.throw()
    expect(() => { validateTopicScoreParams(createTopicScoreParams()) }).to.not.throw()
    expect(() => { validatePeerScoreThresholds(createPeerScoreThresholds()) }).to.not.throw()
    expect(defaultTopicScoreParams.meshMessageDeliveriesThreshold).to.equal(20)
    expect(defaultPeerScoreParams.decayToZero).to.equal(0.1)
    expect(defaultPeerScoreThresholds.graylistThreshold).to.equal(-80)
  })

  const topicCases: Array<[Partial<TopicScoreParams>, string, unknown]> = [
    [{ topicWeight: -1 }, 'topicWeight', -1],
    [{ topicWeight: Number.NaN }, 'topicWeight', Number.NaN],
    [{ timeInMeshWeight: -0.1 }, 'timeInMeshWeight', -0.1],
    [{ timeInMeshQuantum: 0 }, 'timeInMeshQuantum', 0],
    [{ timeInMeshCap: 0 }, 'timeInMeshCap', 0],
    [{ firstMessageDeliveriesWeight: -1 }, 'firstMessageDeliveriesWeight', -1],
    [{ firstMessageDeliveriesDecay: 1 }, 'firstMessageDeliveriesDecay', 1],
    [{ firstMessageDeliveriesCap: 0 }, 'firstMessageDeliveriesCap', 0],
    [{ meshMessageDeliveriesWeight: 1 }, 'meshMessageDeliveriesWeight', 1],
    [{ meshMessageDeliveriesDecay: 0 }, 'meshMessageDeliveriesDecay', 0],
    [{ meshMessageDeliveriesThreshold: 0 }, 'meshMessageDeliveriesThreshold', 0],
    [{ meshMessageDeliveriesCap: 19 }, 'meshMessageDeliveriesCap', 19],
    [{ meshMessageDeliveriesActivation: 999 }, 'meshMessageDeliveriesActivation', 999],
    [{ meshMessageDeliveriesWindow: -1 }, 'meshMessageDeliveriesWindow', -1],
    [{ meshFailurePenaltyWeight: 0.5 }, 'meshFailurePenaltyWeight', 0.5],
    [{ meshFailurePenaltyDecay: 1.5 }, 'meshFailurePenaltyDecay', 1.5],
    [{ invalidMessageDeliveriesWeight: 2 }, 'invalidMessageDeliveriesWeight', 2],
    [{ invalidMessageDeliveriesDecay: -0.5 }, 'invalidMessageDeliveriesDecay', -0.5],
    [{ meshMessageDeliveriesWeight: 0, meshMessageDeliveriesDecay: 2 }, 'meshMessageDeliveriesDecay', 2]
  ]
  for (const [change, param, value] of topicCases) {
    it(`rejects topic param ${param}=${String(value)} and names both`, () => {
      const err = catchError(() => { validatePeerScoreParams(createPeerScoreParams({ topics: { blocks: { ...createTopicScoreParams(), ...change } } })) })
      expect(err).to.be.instanceOf(InvalidPeerScoreParamsError)
      expect(err.param).to.equal(`topics["blocks"].${param}`)
      expect(Object.is(err.value, value)).to.equal(true)
      expect(err.message).to.include(`topics["blocks"].${param}=${String(value)}`)
    })
  }

  it('a disabled component does not need its other params', () => {
    expect(() => {
      validateTopicScoreParams(createTopicScoreParams({ meshMessageDeliveriesWeight: 0, meshMessageDeliveriesThreshold: 0, meshMessageDeliveriesActivation: 0, meshMessageDeliveriesCap: 0 }))
    }).to.not.throw()
  })

  const peerCases: Array<[PeerScoreParamsInit, string]> = [
    [{ topicScoreCap: -1 }, 'topicScoreCap'],
    [{ appSpecificScore: undefined as unknown as PeerScoreParams['appSpecificScore'] }, 'appSpecificScore'],
    [{ appSpecificWeight: -1 }, 'appSpecificWeight'],
    [{ IPColocationFactorWeight: 1 }, 'IPColocationFactorWeight'],
    [{ IPColocationFactorThreshold: 0.5 }, 'IPColocationFactorThreshold'],
    [{ IPColocationFactorWhitelist: ['10.0.0.0/33'] }, 'IPColocationFactorWhitelist'],
    [{ IPColocationFactorWhitelist: new Set(['nope']) }, 'IPColocationFactorWhitelist'],
    [{ IPColocationFactorWhitelist: {} as unknown as string[] }, 'IPColocationFactorWhitelist'],
    [{ behaviourPenaltyWeight: 1 }, 'behaviourPenaltyWeight'],
    [{ behaviourPenaltyThreshold: -1 }, 'behaviourPenaltyThreshold'],
    [{ behaviourPenaltyDecay: 1 }, 'behaviourPenaltyDecay'],
    [{ decayInterval: 999 }, 'decayInterval'],
    [{ decayToZero: 0 }, 'decayToZero'],
    [{ decayToZero: 1 }, 'decayToZero'],
    [{ retainScore: -1 }, 'retainScore'],
    [{ retainScore: Infinity }, 'retainScore']
  ]
  for (const [change, param] of peerCases) {
    it(`rejects peer param ${param}=${String(Object.values(change)[0])}`, () => {
      const err = catchError(() => { validatePeerScoreParams(createPeerScoreParams(change)) })
      expect(err.param).to.equal(param)
      expect(err.message).to.match(new RegExp(`^${param}=`))
    })
  }

  const thresholdCases: Array<[Partial<PeerScoreThresholds>, keyof PeerScoreThresholds, string]> = [
    [{ gossipThreshold: 0 }, 'gossipThreshold', 'gossipThreshold=0 must be < 0'],
    [{ publishThreshold: -5 }, 'publishThreshold', 'publishThreshold=-5 must be ≤ gossipThreshold=-10'],
    [{ graylistThreshold: -50 }, 'graylistThreshold', 'graylistThreshold=-50 must be < publishThreshold=-50'],
    [{ acceptPXThreshold: -1 }, 'acceptPXThreshold', 'acceptPXThreshold=-1 must be ≥ 0'],
    [{ opportunisticGraftThreshold: -1 }, 'opportunisticGraftThreshold', 'opportunisticGraftThreshold=-1 must be ≥ 0'],
    [{ gossipThreshold: Number.NaN }, 'gossipThreshold', 'gossipThreshold=NaN must be a finite number']
  ]
  for (const [change, param, message] of thresholdCases) {
    it(`rejects threshold ${message}`, () => {
      const err = catchError(() => { validatePeerScoreThresholds(createPeerScoreThresholds(change)) })
      expect(err).to.be.instanceOf(InvalidPeerScoreThresholdsError)
      expect(err.param).to.equal(param)
      expect(err.message).to.equal(message)
    })
  }

  it('PeerScore validates what it is given, and setTopicScoreParams validates at runtime', () => {
    expect(() => new PeerScore({ decayToZero: 2 })).to.throw(InvalidPeerScoreParamsError, /decayToZero=2/)
    expect(() => new PeerScore({}, { gossipThreshold: 1 })).to.throw(InvalidPeerScoreThresholdsError, /gossipThreshold=1/)
    const s = new PeerScore()
    expect(() => { s.setTopicScoreParams('x', createTopicScoreParams({ topicWeight: -2 })) }).to.throw(/topics\["x"\]\.topicWeight=-2/)
    expect(s.getParams().topics).to.deep.equal({})
  })
})
