import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { PublishWait } from '../../src/adapter/publish-wait.ts'
import { SendQueue } from '../../src/adapter/send-queue.ts'
import { Priority } from '../../src/core/types.ts'
import type { HeldFrame, HoldWaiter } from '../../src/adapter/send-queue.ts'
import type { PriorityClass } from '../../src/core/types.ts'

const frame = (tag: number, len = 10): Uint8Array => new Uint8Array(len).fill(tag)
const tags = (frames: Uint8Array[]): number[] => frames.map(f => f[0])

class Waiter implements HoldWaiter {
  settled: Array<[number, boolean]> = []
  settle (h: HeldFrame, ok: boolean): void { this.settled.push([Number(h.peer), ok]) }
}

class Watched extends SendQueue {
  slowEvents: boolean[] = []
  override slowChanged (s: boolean): void { this.slowEvents.push(s) }
}

describe('adapter/send-queue: the app\'s own publishes', () => {
  it('fill 3/4 of the queue, then wait in order (not dropped, peer not slow) until a drain makes room', () => {
    const q = new Watched({ maxCount: 8 })
    const w = new Waiter()
    for (let i = 0; i < 6; i++) { expect(q.pushOwn(frame(i), 0, w, String(i))).to.equal(true) }
    const h6 = q.pushOwn(frame(6), 0, w, '6')
    const h7 = q.pushOwn(frame(7), 0, w, '7')
    expect(h6).to.be.an('object')
    expect(h7).to.be.an('object')
    expect(q.length).to.equal(6)
    expect(q.drops).to.deep.equal({ overflow: 0, stale: 0, cancelled: 0, evicted: 0 })
    expect(q.slowEvents).to.deep.equal([])
    // the rest of the queue still takes control and forwards
    expect(q.push(frame(100), Priority.Control, 0)).to.equal(true)
    expect(q.push(frame(101), Priority.Forward, 0)).to.equal(true)
    expect(tags(q.drain(0, 20))).to.deep.equal([100, 0])
    // room again below 3/4: the held frames go in, oldest first, and their waiter is told
    expect(w.settled).to.deep.equal([[6, true]])
    expect(tags(q.drain(0, 10))).to.deep.equal([1])
    expect(w.settled).to.deep.equal([[6, true], [7, true]])
    expect(tags(q.drain(0))).to.deep.equal([2, 3, 4, 5, 6, 7, 101])
    expect(q.drops.evicted).to.equal(0)
    expect(q.length).to.equal(0)
  })

  it('a later own publish queues behind held ones even when it would fit', () => {
    const q = new SendQueue({ maxCount: 4 })
    const w = new Waiter()
    for (let i = 0; i < 3; i++) { q.pushOwn(frame(i), 0, w, String(i)) }
    q.pushOwn(frame(3), 0, w, '3')
    expect(tags(q.drain(0, 10))).to.deep.equal([0])
    // frame 3 went in at the drain: the queue is at its share again, so 4 waits behind nothing but room
    expect(q.pushOwn(frame(4), 0, w, '4')).to.be.an('object')
    expect(tags(q.drain(0))).to.deep.equal([1, 2, 3])
    expect(tags(q.drain(0))).to.deep.equal([4])
  })

  it('once queued, never dropped for age; they evict IWANT replies and forwards to get in', () => {
    const q = new SendQueue({ maxCount: 4 })
    const w = new Waiter()
    q.push(frame(20), Priority.Forward, 0)
    q.push(frame(21), Priority.Forward, 0)
    q.push(frame(30), Priority.Gossip, 0, 'x')
    q.pushOwn(frame(1), 0, w, '1')
    expect(q.pushOwn(frame(2), 0, w, '2')).to.equal(true)
    expect(q.drops.evicted).to.equal(1)
    expect(tags(q.drain(60_000))).to.deep.equal([1, 2])
    expect(q.drops.stale).to.equal(2)
  })

  it('control past its share evicts an own publish only then, and reports the peer slow', () => {
    const q = new Watched({ maxCount: 4 })
    const w = new Waiter()
    for (let i = 0; i < 3; i++) { q.pushOwn(frame(i), 0, w, String(i)) }
    expect(q.push(frame(100), Priority.Control, 0)).to.equal(true)
    expect(q.drops.evicted).to.equal(0)
    expect(q.push(frame(101), Priority.Control, 0)).to.equal(true)
    expect(q.drops.evicted).to.equal(1)
    expect(q.slowEvents).to.deep.equal([true])
    expect(tags(q.drain(0))).to.deep.equal([100, 101, 0, 1])
  })

  it('giveUp drops a held frame (overflow, slow); the peer is then stalled: own publishes without room fail at once until it empties', () => {
    const q = new Watched({ maxCount: 4 })
    const w = new Waiter()
    for (let i = 0; i < 3; i++) { q.pushOwn(frame(i), 0, w, String(i)) }
    const h = q.pushOwn(frame(3), 0, w, '3') as HeldFrame
    expect(q.giveUp(h)).to.equal(true)
    expect(q.giveUp(h)).to.equal(false)
    expect(q.drops.overflow).to.equal(1)
    expect(q.slowEvents).to.deep.equal([true])
    expect(q.pushOwn(frame(4), 0, w, '4')).to.equal(false)
    expect(q.drops.overflow).to.equal(2)
    expect(tags(q.drain(0))).to.deep.equal([0, 1, 2])
    expect(q.slowEvents).to.deep.equal([true, false])
    // healthy again: a full queue holds own publishes once more
    for (let i = 5; i < 8; i++) { q.pushOwn(frame(i), 0, w, String(i)) }
    expect(q.pushOwn(frame(8), 0, w, '8')).to.be.an('object')
    expect(w.settled).to.deep.equal([])
  })

  it('clear settles held frames as not sent; a frame larger than the queue fails at once; a lone large frame fits an empty queue', () => {
    const q = new SendQueue({ maxCount: 4, maxBytes: 100 })
    const w = new Waiter()
    expect(q.pushOwn(frame(0, 101), 0, w, '0')).to.equal(false)
    expect(q.pushOwn(frame(1, 90), 0, w, '1')).to.equal(true)
    q.pushOwn(frame(2, 10), 0, w, '2')
    q.clear()
    expect(w.settled).to.deep.equal([[2, false]])
    expect(q.length).to.equal(0)
  })

  it('property: bounds hold, every own publish is queued, held, or failed exactly once, and none queued is lost', () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant('own' as const), len: fc.integer({ min: 1, max: 60 }) }),
      fc.record({ k: fc.constant('push' as const), p: fc.integer({ min: 0, max: 3 }), len: fc.integer({ min: 1, max: 50 }) }),
      fc.record({ k: fc.constant('drain' as const), max: fc.integer({ min: 1, max: 200 }) }),
      fc.record({ k: fc.constant('giveUp' as const), i: fc.nat() }),
      fc.record({ k: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 7000 }) })
    )
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const q = new SendQueue({ maxCount: 8, maxBytes: 150 })
      const w = new Waiter()
      let now = 0
      let n = 0
      const queued = new Set<number>()
      const held: HeldFrame[] = []
      const failed = new Set<number>()
      const sent = new Set<number>()
      const mark = (id: number, len: number): Uint8Array => {
        const f = new Uint8Array(Math.max(len, 4))
        f[0] = 200
        new DataView(f.buffer).setUint16(1, id)
        return f
      }
      const take = (frames: Uint8Array[]): void => {
        for (const f of frames) { if (f[0] === 200) { sent.add(new DataView(f.buffer).getUint16(1)) } }
      }
      for (const o of ops) {
        if (o.k === 'own') {
          const id = n++
          const r = q.pushOwn(mark(id, o.len), now, w, String(id))
          if (r === true) { queued.add(id) } else if (r === false) { failed.add(id) } else { held.push(r) }
        } else if (o.k === 'push') {
          q.push(frame(o.p, o.len), o.p as PriorityClass, now)
        } else if (o.k === 'drain') {
          take(q.drain(now, o.max))
        } else if (o.k === 'giveUp') {
          const h = held[o.i % Math.max(1, held.length)]
          if (h !== undefined && q.giveUp(h)) { failed.add(Number(h.peer)) }
        } else {
          now += o.dt
        }
        expect(q.length).to.be.at.most(8)
        expect(q.bytes).to.be.at.most(150)
      }
      for (const [id, ok] of w.settled) { if (ok) { queued.add(id) } else { failed.add(id) } }
      for (let i = 0; i < 100 && q.length > 0; i++) { take(q.drain(now)) }
      for (const [id, ok] of w.settled) { if (ok) { queued.add(id) } }
      expect(q.length).to.equal(0)
      // every frame that was queued left through a drain unless control evicted it (counted)
      const lost = [...queued].filter(id => !sent.has(id))
      expect(lost.length).to.be.at.most(q.drops.evicted)
      for (const id of failed) { expect(queued.has(id)).to.equal(false) }
    }))
  })
})

describe('adapter/publish-wait', () => {
  it('resolves once every held frame is queued; nothing failed', async () => {
    const q = new SendQueue({ maxCount: 4 })
    const wait = new PublishWait()
    for (let i = 0; i < 4; i++) { wait.push(q, 'p', frame(i), 0) }
    const done = wait.settled(60_000)
    q.drain(0)
    await done
    expect(wait.failed).to.equal(undefined)
  })

  it('after its ttl gives the held frames up: the peers are failed and reported slow', async () => {
    const q = new Watched({ maxCount: 4 })
    const ok = new SendQueue()
    const wait = new PublishWait()
    for (let i = 0; i < 4; i++) {
      wait.push(q, 'stuck', frame(i), 0)
      wait.push(ok, 'fine', frame(i), 0)
    }
    wait.fail('gone')
    await wait.settled(20)
    expect([...wait.failed ?? []].sort()).to.deep.equal(['gone', 'stuck'])
    expect(q.slowEvents).to.deep.equal([true])
    expect(q.drops.overflow).to.equal(1)
  })
})
