import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { SendQueue } from '../../src/adapter/send-queue.ts'
import { Priority } from '../../src/core/types.ts'
import type { PriorityClass } from '../../src/core/types.ts'

const frame = (tag: number, len = 10): Uint8Array => new Uint8Array(len).fill(tag)
const tags = (frames: Uint8Array[]): number[] => frames.map(f => f[0])

describe('adapter/send-queue', () => {
  it('drains control, then publishes, then forwards, then IWANT replies, FIFO within a class', () => {
    const q = new SendQueue()
    q.push(frame(30), Priority.Gossip, 0, 'a')
    q.push(frame(20), Priority.Forward, 0)
    q.push(frame(10), Priority.Publish, 0)
    q.push(frame(1), Priority.Control, 0)
    q.push(frame(21), Priority.Forward, 0)
    q.push(frame(2), Priority.Control, 0)
    expect(q.length).to.equal(6)
    expect(q.bytes).to.equal(60)
    expect(tags(q.drain(0))).to.deep.equal([1, 2, 10, 20, 21, 30])
    expect(q.length).to.equal(0)
    expect(q.bytes).to.equal(0)
    expect(q.drain(0)).to.deep.equal([])
  })

  it('drops stale forwards after 1 s and stale publishes after 5 s, never control', () => {
    const q = new SendQueue()
    q.push(frame(1), Priority.Control, 0)
    q.push(frame(10), Priority.Publish, 0)
    q.push(frame(20), Priority.Forward, 0)
    q.push(frame(21), Priority.Forward, 900)
    expect(tags(q.drain(1001))).to.deep.equal([1, 10, 21])
    expect(q.drops.stale).to.equal(1)

    q.push(frame(11), Priority.Publish, 2000)
    q.push(frame(2), Priority.Control, 2000)
    expect(tags(q.drain(7001))).to.deep.equal([2])
    expect(q.drops.stale).to.equal(2)
  })

  it('keeps IWANT replies as long as the requester waits for them (iwantFollowupTime, 3 s)', () => {
    const q = new SendQueue()
    q.push(frame(30), Priority.Gossip, 0, 'x')
    q.push(frame(31), Priority.Gossip, 0, 'y')
    expect(tags(q.drain(2999, 1))).to.deep.equal([30])
    expect(tags(q.drain(3001))).to.deep.equal([])
    expect(q.drops.stale).to.equal(1)
    const own = new SendQueue({ gossipTtl: 500 })
    own.push(frame(30), Priority.Gossip, 0, 'x')
    expect(tags(own.drain(501))).to.deep.equal([])
    expect(own.drops.stale).to.equal(1)
  })

  it('is bounded by count: data overflow is dropped and counted, control evicts data', () => {
    const slow: boolean[] = []
    const q = new (class extends SendQueue {
      override slowChanged (s: boolean): void { slow.push(s) }
    })({ maxCount: 3 })
    expect(q.push(frame(20), Priority.Forward, 0)).to.equal(true)
    expect(q.push(frame(21), Priority.Forward, 0)).to.equal(true)
    expect(q.push(frame(30), Priority.Gossip, 0, 'k')).to.equal(true)
    // a forward evicts the newest IWANT reply
    expect(q.push(frame(22), Priority.Forward, 0)).to.equal(true)
    expect(q.drops.evicted).to.equal(1)
    // another forward has nothing less urgent to evict
    expect(q.push(frame(23), Priority.Forward, 0)).to.equal(false)
    expect(q.drops.overflow).to.equal(1)
    expect(slow).to.deep.equal([true])
    expect(q.slow).to.equal(true)
    // control evicts the newest forward
    expect(q.push(frame(1), Priority.Control, 0)).to.equal(true)
    expect(q.length).to.equal(3)
    expect(tags(q.drain(0))).to.deep.equal([1, 20, 21])
    expect(slow).to.deep.equal([true, false])
    expect(q.cancel('k')).to.equal(false)
  })

  it('is bounded by bytes and makes room by expiring stale data first', () => {
    const q = new SendQueue({ maxBytes: 100 })
    expect(q.push(frame(20, 60), Priority.Forward, 0)).to.equal(true)
    expect(q.push(frame(21, 50), Priority.Forward, 0)).to.equal(false)
    expect(q.drops.overflow).to.equal(1)
    // at t=1001 the first forward is stale, so another fits without evicting anything fresh
    expect(q.push(frame(22, 50), Priority.Forward, 1001)).to.equal(true)
    expect(q.drops.stale).to.equal(1)
    expect(q.drops.evicted).to.equal(0)
    expect(q.bytes).to.equal(50)
    expect(tags(q.drain(1001))).to.deep.equal([22])
  })

  it('cancels a queued IWANT reply by message id', () => {
    const q = new SendQueue()
    q.push(frame(30), Priority.Gossip, 0, 'a')
    q.push(frame(31), Priority.Gossip, 0, 'b')
    expect(q.cancel('a')).to.equal(true)
    expect(q.cancel('a')).to.equal(false)
    expect(q.cancel('zz')).to.equal(false)
    expect(q.length).to.equal(1)
    expect(q.drops.cancelled).to.equal(1)
    expect(tags(q.drain(0))).to.deep.equal([31])
    // a drained reply can no longer be cancelled
    expect(q.cancel('b')).to.equal(false)
  })

  it('cancel withdraws every queued reply of the id (up to gossipRetransmission can wait)', () => {
    const q = new SendQueue()
    q.push(frame(30), Priority.Gossip, 0, 'a')
    q.push(frame(31), Priority.Gossip, 0, 'b')
    q.push(frame(32), Priority.Gossip, 0, 'a')
    q.push(frame(33), Priority.Gossip, 0, 'a')
    expect(q.cancel('a')).to.equal(true)
    expect(q.cancel('a')).to.equal(false)
    expect(q.drops.cancelled).to.equal(3)
    expect(q.length).to.equal(1)
    expect(tags(q.drain(0))).to.deep.equal([31])
    // a reply drained or evicted leaves the others cancellable
    q.push(frame(34), Priority.Gossip, 0, 'c')
    q.push(frame(35), Priority.Gossip, 0, 'c')
    expect(tags(q.drain(0, 1))).to.deep.equal([34])
    expect(q.cancel('c')).to.equal(true)
    expect(q.length).to.equal(0)
  })

  it('limits one drain to maxBytes but always takes at least one frame', () => {
    const q = new SendQueue()
    for (let i = 0; i < 5; i++) { q.push(frame(i, 40), Priority.Control, 0) }
    expect(tags(q.drain(0, 100))).to.deep.equal([0, 1])
    expect(tags(q.drain(0, 10))).to.deep.equal([2])
    expect(tags(q.drain(0))).to.deep.equal([3, 4])
  })

  it('clear empties the queue', () => {
    const q = new SendQueue()
    q.push(frame(1), Priority.Control, 0)
    q.push(frame(30), Priority.Gossip, 0, 'a')
    q.clear()
    expect(q.length).to.equal(0)
    expect(q.bytes).to.equal(0)
    expect(q.cancel('a')).to.equal(false)
    expect(q.drain(0)).to.deep.equal([])
  })

  it('property: never exceeds its bounds, accounting matches content, control is never lost for data', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('push' as const), p: fc.integer({ min: 0, max: 3 }), len: fc.integer({ min: 1, max: 50 }), id: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant('cancel' as const), id: fc.integer({ min: 0, max: 5 }) }),
      fc.record({ k: fc.constant('drain' as const), max: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ k: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 700 }) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const q = new SendQueue({ maxCount: 8, maxBytes: 150 })
      let now = 0
      let pushedControl = 0
      let drainedControl = 0
      let drainedBytes = 0
      let pushedBytes = 0
      for (const o of ops) {
        if (o.k === 'push') {
          const ok = q.push(frame(o.p, o.len), o.p as PriorityClass, now, o.p === 3 ? String(o.id) : undefined)
          if (ok) { pushedBytes += o.len }
          if (o.p === 0 && ok) { pushedControl++ }
        } else if (o.k === 'cancel') {
          q.cancel(String(o.id))
        } else if (o.k === 'drain') {
          for (const f of q.drain(now, o.max)) {
            drainedBytes += f.length
            if (f[0] === 0) { drainedControl++ }
          }
        } else {
          now += o.dt
        }
        expect(q.length).to.be.at.most(8)
        expect(q.bytes).to.be.at.most(150)
        expect(q.bytes).to.be.at.most(pushedBytes - drainedBytes)
      }
      const rest = q.drain(now)
      drainedControl += rest.filter(f => f[0] === 0).length
      expect(q.length).to.equal(0)
      expect(q.bytes).to.equal(0)
      // control frames only leave through drain (a control push evicts data, never control)
      expect(drainedControl).to.equal(pushedControl)
    }))
  })
})
