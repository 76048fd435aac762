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
  it('matches a model under adds, deletes, re-adds, evictions and prunes (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 12 }), dt: fc.nat(30) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 12 }), dt: fc.constant(0) }),
      fc.record({ kind: fc.constant('prune' as const), key: fc.constant(0), dt: fc.nat(60) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const ttl = 100
      const max = 6
      const c = new TimeCache(ttl, max)
      // the model: live keys in insertion order with their expiry
      let model: Array<{ key: string, expiry: number }> = []
      let evicted = 0
      let now = 0
      for (const { kind, key, dt } of ops) {
        now += dt
        const k = String(key)
        if (kind === 'add') {
          const present = model.some(e => e.key === k)
          if (present) {
            expect(c.add(k, now)).to.equal(false)
          } else {
            // insert is add without the presence check; use both
            if (key % 2 === 0) { expect(c.add(k, now)).to.equal(true) } else { expect(c.has(k)).to.equal(false); c.insert(k, now) }
            if (model.length >= max) { model.shift(); evicted++ }
            model.push({ key: k, expiry: now + ttl })
          }
        } else if (kind === 'delete') {
          const present = model.some(e => e.key === k)
          expect(c.delete(k)).to.equal(present)
          model = model.filter(e => e.key !== k)
        } else {
          const at = now
          c.prune(at)
          model = model.filter(e => e.expiry > at)
        }
        expect([...c.keys()].sort()).to.deep.equal(model.map(e => e.key).sort())
        expect(c.size).to.equal(model.length)
        expect(c.evicted).to.equal(evicted)
      }
    }), { numRuns: 300 })
  })
})
