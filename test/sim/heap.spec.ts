import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { EventHeap } from '../../src/sim/heap.ts'

describe('sim: event heap', () => {
  it('pops in time order, ties in insertion order, under any interleaving of pushes and pops', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
      const heap = new EventHeap<{ at: number, seq: number, id: number }>()
      const model: Array<{ at: number, id: number }> = []
      let id = 0
      for (const op of ops) {
        if (op >= 0) {
          heap.push({ at: op, seq: 0, id })
          model.push({ at: op, id: id++ })
          continue
        }
        model.sort((a, b) => a.at - b.at || a.id - b.id)
        const want = model.shift()
        const got = heap.pop()
        expect(got?.id).to.equal(want?.id)
      }
      expect(heap.size).to.equal(model.length)
    }))
  })
})
