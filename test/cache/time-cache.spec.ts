import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { TimeCache } from '../../src/cache/time-cache.ts'

describe('cache/time-cache', () => {
  it('remembers keys for ttl and forgets them on prune', () => {
    const c = new TimeCache(1000, 100)
    expect(c.add('a', 0)).to.equal(true)
    expect(c.add('a', 10)).to.equal(false)
    c.add('b', 500)
    c.prune(999)
    expect(c.has('a')).to.equal(true)
    c.prune(1000)
    expect(c.has('a')).to.equal(false)
    expect(c.has('b')).to.equal(true)
    c.prune(1500)
    expect(c.size).to.equal(0)
  })

  it('evicts the oldest key when full and counts it', () => {
    const c = new TimeCache(1000, 2)
    c.add('a', 0)
    c.add('b', 1)
    c.add('c', 2)
    expect(c.has('a')).to.equal(false)
    expect([...c.keys()]).to.deep.equal(['b', 'c'])
    expect(c.evicted).to.equal(1)
  })

  it('never exceeds its bound and holds exactly the unexpired keys (property)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.nat(50)), { maxLength: 200 }), (ops) => {
      const c = new TimeCache(100, 8)
      let now = 0
      for (const [key, dt] of ops) {
        now += dt
        c.add(String(key), now)
        c.prune(now)
        expect(c.size).to.be.at.most(8)
      }
    }))
  })
})
