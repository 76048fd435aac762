import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { MessageCache } from '../../src/cache/message-cache.ts'
import { TimeCache } from '../../src/cache/time-cache.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import type { SeenIndex } from '../../src/cache/message-cache.ts'
import type { RouterMessage } from '../../src/core/types.ts'

function msg (n: number, topic = 't', size = 10): RouterMessage {
  const id = new Uint8Array([n >> 8, n & 255])
  return { id, idKey: msgIdKey(id), topic, data: new Uint8Array(size) }
}

/** A message cache over its own seen cache; `put` first marks the id seen, as the router does. */
class Cache extends MessageCache {
  readonly seen: SeenIndex

  constructor (length: number, gossip: number, maxMessages: number, maxBytes: number, seen: SeenIndex = new TimeCache(Infinity, 1 << 20, true)) {
    super(length, gossip, maxMessages, maxBytes, seen)
    this.seen = seen
  }

  override put (m: RouterMessage, now = 0): boolean {
    this.seen.add(m.idKey, now)
    return super.put(m, now)
  }
}

describe('cache/message-cache', () => {
  it('keeps messages for mcacheLength windows and advertises mcacheGossip of them', () => {
    const c = new Cache(5, 3, 1000, 1 << 20)
    expect(c.put(msg(1))).to.equal(true)
    expect(c.put(msg(1))).to.equal(false)
    c.put(msg(2, 'u'))
    expect(c.gossipIds('t').map(msgIdKey)).to.deep.equal([msg(1).idKey])
    expect(c.hasGossip('t')).to.equal(true)
    expect(c.hasGossip('v')).to.equal(false)
    c.shift(); c.shift()
    expect(c.gossipIds('t')).to.have.length(1)
    c.shift()
    expect(c.gossipIds('t')).to.have.length(0)
    expect(c.hasGossip('t')).to.equal(false)
    expect(c.has(msg(1).idKey)).to.equal(true)
    c.shift()
    expect(c.has(msg(1).idKey)).to.equal(true)
    c.shift()
    expect(c.has(msg(1).idKey)).to.equal(false)
    expect(c.size).to.equal(0)
    expect(c.bytes).to.equal(0)
  })

  it('counts IWANT serves per (peer, id)', () => {
    const c = new Cache(5, 3, 1000, 1 << 20)
    const m = msg(1)
    c.put(m)
    expect(c.getForPeer(m.idKey, 'p')?.count).to.equal(1)
    expect(c.getForPeer(m.idKey, 'p')?.count).to.equal(2)
    expect(c.getForPeer(m.idKey, 'q')?.count).to.equal(1)
    expect(c.servedCount(m.idKey, 'p')).to.equal(2)
    expect(c.getForPeer('nope', 'p')).to.equal(undefined)
  })

  it('is bounded by count and by bytes, evicting the oldest', () => {
    const byCount = new Cache(5, 3, 3, 1 << 20)
    for (let i = 0; i < 10; i++) { byCount.put(msg(i)) }
    expect(byCount.size).to.equal(3)
    expect(byCount.has(msg(9).idKey)).to.equal(true)
    expect(byCount.has(msg(6).idKey)).to.equal(false)
    expect(byCount.evicted).to.equal(7)
    expect(byCount.gossipIds('t')).to.have.length(3)

    const byBytes = new Cache(5, 3, 1000, 250)
    for (let i = 0; i < 10; i++) { byBytes.put(msg(i, 't', 100)) }
    expect(byBytes.bytes).to.be.at.most(250)
    expect(byBytes.has(msg(9).idKey)).to.equal(true)
  })

  it('an id evicted early and cached again is not dropped by the old window', () => {
    const c = new Cache(2, 1, 1, 1 << 20)
    c.put(msg(1))
    c.put(msg(2)) // evicts 1
    c.shift()
    c.put(msg(1)) // evicts 2, caches 1 again in the new window
    c.shift() // drops the first window, which still lists the old entry of 1
    expect(c.has(msg(1).idKey)).to.equal(true)
  })

  it('evicts in insertion order across shifts, re-puts and queue compaction (against a model)', () => {
    // ops: a number puts that id, -1 shifts; the model is a list of live ids, oldest first, with
    // the window each was put in
    const op = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3000 }), weight: 200 }, { arbitrary: fc.constant(-1), weight: 1 })
    fc.assert(fc.property(fc.array(op, { minLength: 2500, maxLength: 6000 }), fc.integer({ min: 1, max: 1500 }), (ops, max) => {
      const c = new Cache(3, 2, max, 1 << 30)
      let model: Array<{ id: number, window: number }> = []
      let window = 0
      for (const o of ops) {
        if (o < 0) {
          window++
          c.shift()
          const oldestKept = window - 2
          model = model.filter(e => e.window >= oldestKept)
          continue
        }
        const fresh = !model.some(e => e.id === o)
        expect(c.put(msg(o))).to.equal(fresh)
        if (fresh) {
          model.push({ id: o, window })
          if (model.length > max) { model.shift() }
        }
      }
      expect(c.size).to.equal(model.length)
      for (const e of model) { expect(c.has(msg(e.id).idKey)).to.equal(true) }
    }), { numRuns: 20 })
  })
  it('needs a seen cache with value slots', () => {
    expect(() => new MessageCache(5, 3, 10, 1000, new TimeCache(100, 3))).to.throw(/withValues/)
  })

  it('an id the seen cache lacks is seen again when cached, and an entry goes when the seen cache forgets its id', () => {
    const seen: SeenIndex = new TimeCache(100, 3, true)
    const c = new MessageCache(5, 3, 1000, 1 << 20, seen)
    // an id the seen cache does not hold (it forgot it during validation) is seen again
    expect(c.put(msg(1), 1)).to.equal(true)
    expect(seen.has(msg(1).idKey)).to.equal(true)
    expect(c.put(msg(1), 1)).to.equal(false)
    for (const n of [2, 3]) {
      seen.add(msg(n).idKey, n)
      expect(c.put(msg(n), n)).to.equal(true)
    }
    expect(c.size).to.equal(3)
    // the seen cache's bound evicts id 1: its entry goes, and is not advertised any more
    seen.add(msg(4).idKey, 4)
    expect(c.has(msg(1).idKey)).to.equal(false)
    expect(c.size).to.equal(2)
    expect(c.evicted).to.equal(1)
    expect(c.gossipIds('t').map(msgIdKey)).to.deep.equal([msg(2).idKey, msg(3).idKey])
    // a delete (a forged copy's id) and the ttl do the same
    seen.delete(msg(2).idKey)
    expect(c.has(msg(2).idKey)).to.equal(false)
    expect(c.getForPeer(msg(2).idKey, 'p')).to.equal(undefined)
    seen.prune(1000)
    expect(c.size).to.equal(0)
    expect(c.bytes).to.equal(0)
    expect(c.gossipIds('t')).to.have.length(0)
    // windows shifting out entries the seen cache already dropped changes nothing
    c.shift(); c.shift(); c.shift(); c.shift(); c.shift()
    expect(c.size).to.equal(0)
    expect(c.bytes).to.equal(0)
  })
})
