// Tests of the benchmark statistics: quantiles, medians, ABBA order, the seeded bootstrap interval
// of a median ratio, and the win/loss verdict.

import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { abbaOrder, bootstrapMedianRatio, median, quantile, seededRandom, verdict } from '../../benchmarks/lib/stats.ts'

describe('benchmark statistics', () => {
  it('quantile by nearest rank and median of odd and even samples', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    expect(quantile(xs, 0.5)).to.equal(5)
    expect(quantile(xs, 0.99)).to.equal(10)
    expect(quantile(xs, 0)).to.equal(1)
    expect(Number.isNaN(quantile([], 0.5))).to.equal(true)
    expect(median([3, 1, 2])).to.equal(2)
    expect(median([4, 1, 3, 2])).to.equal(2.5)
  })

  it('ABBA order interleaves the routers and balances positions', () => {
    expect(abbaOrder(3).join('')).to.equal('ABBAAB')
    const order = abbaOrder(4)
    expect(order.filter(x => x === 'A')).to.have.length(4)
    expect(order.join('')).to.equal('ABBAABBA')
  })

  it('the seeded generator is reproducible and in [0, 1)', () => {
    const a = seededRandom(7)
    const b = seededRandom(7)
    for (let i = 0; i < 100; i++) {
      const x = a()
      expect(x).to.equal(b())
      expect(x).to.be.within(0, 0.9999999999)
    }
  })

  it('the bootstrap interval contains the median, is reproducible and narrows with agreement', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 12 }), fc.integer(), (ratios, seed) => {
      const s = bootstrapMedianRatio(ratios, seed, 500)
      expect(s.n).to.equal(ratios.length)
      expect(s.lo).to.be.at.most(s.hi)
      expect(s.lo).to.be.at.least(Math.min(...ratios))
      expect(s.hi).to.be.at.most(Math.max(...ratios))
      expect(bootstrapMedianRatio(ratios, seed, 500)).to.deep.equal(s)
    }), { numRuns: 50 })
    const tight = bootstrapMedianRatio([0.5, 0.5, 0.5, 0.5, 0.5])
    expect([tight.lo, tight.median, tight.hi]).to.deep.equal([0.5, 0.5, 0.5])
  })

  it('drops non-finite ratios (a failed trial) instead of poisoning the median', () => {
    const s = bootstrapMedianRatio([2, Infinity, NaN, 2, 2])
    expect(s.n).to.equal(3)
    expect(s.median).to.equal(2)
    expect(bootstrapMedianRatio([NaN]).n).to.equal(0)
  })

  it('claims a win only when the interval excludes 1 on the good side', () => {
    const lower = { median: 0.3, lo: 0.25, hi: 0.4, n: 5 }
    const straddle = { median: 0.9, lo: 0.7, hi: 1.1, n: 5 }
    const higher = { median: 3, lo: 2.5, hi: 3.5, n: 5 }
    expect(verdict(lower, false)).to.equal('win')
    expect(verdict(lower, true)).to.equal('loss')
    expect(verdict(higher, true)).to.equal('win')
    expect(verdict(higher, false)).to.equal('loss')
    expect(verdict(straddle, false)).to.equal('inconclusive')
    expect(verdict({ median: NaN, lo: NaN, hi: NaN, n: 0 }, true)).to.equal('inconclusive')
  })
})
