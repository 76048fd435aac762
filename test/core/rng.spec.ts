import { expect } from 'aegir/chai'
import { msgIdFromKey, msgIdKey } from '../../src/core/msgid.ts'
import { SeededRng, sample, shuffle } from '../../src/core/rng.ts'

describe('core/rng', () => {
  it('the same seed gives the same sequence, another seed another', () => {
    const a = new SeededRng(42)
    const b = new SeededRng(42)
    const c = new SeededRng(43)
    const xs = Array.from({ length: 10 }, () => a.next())
    expect(Array.from({ length: 10 }, () => b.next())).to.deep.equal(xs)
    expect(Array.from({ length: 10 }, () => c.next())).to.not.deep.equal(xs)
    for (const x of xs) { expect(x).to.be.within(0, 1) }
  })

  it('shuffle is a permutation and sample picks distinct elements', () => {
    const rng = new SeededRng(1)
    const arr = Array.from({ length: 50 }, (_, i) => i)
    expect(shuffle(rng, arr.slice()).sort((x, y) => x - y)).to.deep.equal(arr)
    const s = sample(rng, arr, 10)
    expect(s).to.have.length(10)
    expect(new Set(s).size).to.equal(10)
    expect(sample(rng, arr, 100)).to.have.length(50)
  })

  it('int stays in range and covers it', () => {
    const rng = new SeededRng(7)
    const seen = new Set<number>()
    for (let i = 0; i < 1000; i++) { seen.add(rng.int(5)) }
    expect([...seen].sort()).to.deep.equal([0, 1, 2, 3, 4])
  })
})

describe('core/msgid', () => {
  it('keys round-trip any bytes, including non-UTF-8 and long ids', () => {
    for (const id of [new Uint8Array([0xff, 0x00, 0x80, 0xc3]), new Uint8Array(0), new Uint8Array(300).map((_, i) => i)]) {
      expect(msgIdFromKey(msgIdKey(id))).to.deep.equal(id)
    }
    expect(msgIdKey(new Uint8Array([1, 2]))).to.not.equal(msgIdKey(new Uint8Array([2, 1])))
  })
})
