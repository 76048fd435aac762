import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { Fifo } from '../../src/cache/fifo.ts'

describe('cache/fifo', () => {
  it('behaves as an array queue through pushes, shifts, pops and compactions (against a model)', () => {
    const op = fc.oneof(fc.constant('push' as const), fc.constant('shift' as const), fc.constant('pop' as const))
    fc.assert(fc.property(fc.array(fc.tuple(op, fc.nat()), { minLength: 200, maxLength: 2000 }), (ops) => {
      const q = new Fifo<{ n: number }>()
      const model: Array<{ n: number }> = []
      for (const [o, n] of ops) {
        if (o === 'push') {
          const item = { n }
          q.push(item)
          model.push(item)
        } else if (o === 'shift') {
          expect(q.shift()).to.equal(model.shift())
        } else {
          expect(q.pop()).to.equal(model.pop())
        }
        expect(q.size).to.equal(model.length)
        expect(q.peek()).to.equal(model[0])
      }
    }), { numRuns: 30 })
  })
})
