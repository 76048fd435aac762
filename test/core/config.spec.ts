import { expect } from 'aegir/chai'
import { defaultRouterOptions, topicDegrees, validateRouterConfig } from '../../src/config.ts'
import { InvalidConfigError } from '../../src/errors.ts'

describe('config', () => {
  it('defaults pass the validator and come back frozen', () => {
    const c = validateRouterConfig()
    expect(c.D).to.equal(6)
    expect(c.Dlo).to.equal(4)
    expect(c.Dhi).to.equal(12)
    expect(c.heartbeatInterval).to.equal(defaultRouterOptions.heartbeatInterval)
    expect(c.scoreThresholds.graylistThreshold).to.equal(-80)
    expect(Object.isFrozen(c)).to.equal(true)
    expect(Object.isFrozen(c.scoreThresholds)).to.equal(true)
  })

  it('names option and values in errors', () => {
    expect(() => validateRouterConfig({ D: 3 })).to.throw(InvalidConfigError, 'D=3 must be between Dlo=4 and Dhi=12')
    expect(() => validateRouterConfig({ Dout: 4 })).to.throw(InvalidConfigError, 'Dout=4 must be < Dlo=4')
    expect(() => validateRouterConfig({ mcacheGossip: 6 })).to.throw('mcacheGossip=6 must be ≤ mcacheLength=5')
    expect(() => validateRouterConfig({ heartbeatInterval: 0 })).to.throw('heartbeatInterval=0 must be an integer ≥ 1')
    expect(() => validateRouterConfig({ gossipFactor: 2 })).to.throw('gossipFactor=2 must be between 0 and 1')
    expect(() => validateRouterConfig({ scoreThresholds: { gossipThreshold: 1 } })).to.throw('scoreThresholds.gossipThreshold=1 must be < 0')
    expect(() => validateRouterConfig({ floodPublish: 'yes' as unknown as boolean })).to.throw('floodPublish=yes must be a boolean')
    try {
      validateRouterConfig({ Dhi: 2 })
      expect.fail('should throw')
    } catch (err) {
      expect(err).to.have.property('option', 'D')
      expect(err).to.have.property('name', 'InvalidConfigError')
    }
  })

  it('rejects unknown options by name', () => {
    expect(() => validateRouterConfig({ Dhigh: 3 } as unknown as Record<string, number>)).to.throw(InvalidConfigError, 'unknown router option Dhigh')
  })

  it('accepts both spellings of the unsubscribe backoff', () => {
    expect(validateRouterConfig({ unsubcribeBackoff: 5000 }).unsubscribeBackoff).to.equal(5000)
    expect(validateRouterConfig({ unsubscribeBackoff: 7000 }).unsubscribeBackoff).to.equal(7000)
    expect(() => validateRouterConfig({ unsubscribeBackoff: 1, unsubcribeBackoff: 2 })).to.throw('disagree')
  })

  it('per-topic degrees inherit the global ones and are validated', () => {
    const c = validateRouterConfig({ D: 8, Dhi: 14, topics: { big: { D: 10 } } })
    expect(topicDegrees(c, 'big')).to.include({ D: 10, Dlo: 4, Dhi: 14 })
    expect(topicDegrees(c, 'other')).to.include({ D: 8 })
    expect(() => validateRouterConfig({ topics: { t: { Dlo: 7 } } })).to.throw('topics["t"].D=6 must be between topics["t"].Dlo=7 and topics["t"].Dhi=12')
  })

  it('ignores undefined options and dedups direct peers', () => {
    const c = validateRouterConfig({ D: undefined, directPeers: ['a', 'a', 'b'] })
    expect(c.D).to.equal(6)
    expect(c.directPeers).to.deep.equal(['a', 'b'])
  })
})
