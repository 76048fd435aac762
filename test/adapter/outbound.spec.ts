import { expect } from 'aegir/chai'
import { forwardClass, FrameMemo, queueRpc, topicClasses } from '../../src/adapter/outbound.ts'
import { RecordCache } from '../../src/adapter/px.ts'
import { SendQueue } from '../../src/adapter/send-queue.ts'
import { FrameReader, decodeRpc, encodeMessage } from '../../src/codec/index.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import { Priority } from '../../src/core/types.ts'
import { emptyControl } from '../../src/types.ts'
import type { RouterMessage } from '../../src/core/types.ts'

function message (topic: string, n: number, size = 10): RouterMessage {
  const wire = { topic, data: new Uint8Array(size).fill(n) }
  const id = new Uint8Array([n])
  return { ...wire, id, idKey: msgIdKey(id), raw: encodeMessage(wire) }
}

function frames (q: SendQueue): Uint8Array[] {
  const reader = new FrameReader()
  for (const f of q.drain(0)) { reader.push(f) }
  const out: Uint8Array[] = []
  for (let b = reader.next(); b !== undefined; b = reader.next()) { out.push(b) }
  return out
}

describe('adapter/outbound', () => {
  it('forwards in high/low priority topics move to the publish/gossip classes', () => {
    const classes = topicClasses({ hot: { priority: 'high' }, cold: { priority: 'low' }, plain: {} })
    expect(forwardClass(classes, { messages: [message('hot', 1)] }, Priority.Forward)).to.equal(Priority.Publish)
    expect(forwardClass(classes, { messages: [message('cold', 1)] }, Priority.Forward)).to.equal(Priority.Gossip)
    expect(forwardClass(classes, { messages: [message('plain', 1)] }, Priority.Forward)).to.equal(Priority.Forward)
    // only forwards move; control and own publishes keep their class
    expect(forwardClass(classes, { messages: [message('cold', 1)] }, Priority.Publish)).to.equal(Priority.Publish)
    expect(forwardClass(classes, { control: emptyControl() }, Priority.Control)).to.equal(Priority.Control)
  })

  it('IWANT replies go one message per frame so each can be withdrawn', () => {
    const q = new SendQueue()
    const counters = { oversized: 0, dropped: 0, errors: 0, idontwantSkipped: 0 }
    const records = new RecordCache(4)
    queueRpc(q, { messages: [message('t', 1), message('t', 2), message('t', 3)] }, Priority.Gossip, 0, 1 << 20, records, () => undefined, counters, new FrameMemo())
    expect(q.length).to.equal(3)
    expect(q.cancel(msgIdKey(new Uint8Array([2])))).to.equal(true)
    const bodies = frames(q)
    expect(bodies.map(b => decodeRpc(b).rpc.messages.map(m => m.data?.[0]))).to.deep.equal([[1], [3]])
  })

  it('IDONTWANT is not queued to a peer whose queue is a quarter full: skipped and counted, the rest of the control goes', () => {
    const q = new SendQueue({ maxCount: 8 })
    const counters = { oversized: 0, dropped: 0, errors: 0, idontwantSkipped: 0 }
    const records = new RecordCache(4)
    const idontwant = [{ messageIds: [new Uint8Array([1]), new Uint8Array([2])] }]
    queueRpc(q, { control: { ...emptyControl(), idontwant } }, Priority.Control, 0, 1 << 20, records, () => undefined, counters, new FrameMemo())
    expect(q.length).to.equal(1)
    queueRpc(q, { messages: [message('t', 9)] }, Priority.Forward, 0, 1 << 20, records, () => undefined, counters, new FrameMemo())
    expect(q.backedUp).to.equal(true)
    queueRpc(q, { control: { ...emptyControl(), idontwant } }, Priority.Control, 0, 1 << 20, records, () => undefined, counters, new FrameMemo())
    expect(q.length).to.equal(2)
    queueRpc(q, { control: { ...emptyControl(), idontwant, graft: [{ topic: 'g' }] } }, Priority.Control, 0, 1 << 20, records, () => undefined, counters, new FrameMemo())
    expect(counters.idontwantSkipped).to.equal(4)
    const bodies = frames(q)
    expect(bodies).to.have.length(3)
    const last = decodeRpc(bodies[1]).rpc.control
    expect(decodeRpc(bodies[2]).rpc.messages).to.have.length(1)
    expect(last?.graft.map(g => g.topic)).to.deep.equal(['g'])
    expect(last?.idontwant).to.deep.equal([])
  })

  it('splits to the frame limit, counts oversized messages, attaches known PX records', () => {
    const q = new SendQueue()
    const counters = { oversized: 0, dropped: 0, errors: 0, idontwantSkipped: 0 }
    const records = new RecordCache(4)
    const record = new Uint8Array([9, 9, 9])
    records.set('peer-a', record)
    const control = emptyControl()
    control.prune.push({ topic: 't', peers: [{ peerId: new Uint8Array([1]) }, { peerId: new Uint8Array([2]) }] })
    const toKey = (b: Uint8Array): string | undefined => b[0] === 1 ? 'peer-a' : 'peer-b'
    queueRpc(q, { messages: [message('t', 1, 900), message('t', 2, 900), message('t', 3, 5000)], control }, Priority.Forward, 0, 1500, records, toKey, counters, new FrameMemo())
    expect(counters.oversized).to.equal(1)
    const bodies = frames(q)
    const rpcs = bodies.map(b => decodeRpc(b).rpc)
    expect(rpcs.length).to.be.greaterThan(1)
    for (const f of bodies) { expect(f.length).to.be.at.most(1500) }
    const peers = rpcs.flatMap(r => r.control?.prune ?? []).flatMap(p => p.peers)
    expect(peers.map(p => p.signedPeerRecord)).to.deep.equal([record, undefined])
    expect(rpcs.flatMap(r => r.messages).map(m => m.data?.[0])).to.deep.equal([1, 2])
  })

  it('a PX entry without a cached record has it looked up for the next PRUNE', async () => {
    const record = new Uint8Array([7, 7])
    const asked: string[] = []
    const records = new RecordCache(4, async peer => {
      asked.push(peer)
      return peer === 'peer-b' ? record : undefined
    })
    const control = emptyControl()
    control.prune.push({ topic: 't', peers: [{ peerId: new Uint8Array([1]) }, { peerId: new Uint8Array([2]) }] })
    records.attach(control, b => b[0] === 1 ? 'peer-a' : 'peer-b')
    expect(control.prune[0].peers.map(p => p.signedPeerRecord)).to.deep.equal([undefined, undefined])
    expect(asked).to.deep.equal(['peer-a', 'peer-b'])
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(records.get('peer-b')).to.equal(record)
    expect(records.get('peer-a')).to.equal(undefined)
  })

  it('a message-only RPC sent to several peers is encoded once: every queue gets the same frame bytes', () => {
    const counters = { oversized: 0, dropped: 0, errors: 0, idontwantSkipped: 0 }
    const records = new RecordCache(4)
    // the core hands the same OutRpc object to every recipient of a forward or publish
    const rpc = { messages: [message('t', 1, 1024)] }
    const queues = [new SendQueue(), new SendQueue(), new SendQueue()]
    const memo = new FrameMemo()
    for (const q of queues) { queueRpc(q, rpc, Priority.Forward, 0, 1 << 20, records, () => undefined, counters, memo) }
    const sent = queues.map(q => q.drain(0))
    expect(sent.map(f => f.length)).to.deep.equal([1, 1, 1])
    expect(sent[1][0]).to.equal(sent[0][0])
    expect(sent[2][0]).to.equal(sent[0][0])
    const reader = new FrameReader()
    reader.push(sent[0][0])
    expect(decodeRpc(reader.next() as Uint8Array).rpc.messages[0].data).to.deep.equal(new Uint8Array(1024).fill(1))
    // another RPC object is encoded on its own
    const other = new SendQueue()
    queueRpc(other, { messages: [message('t', 1, 1024)] }, Priority.Forward, 0, 1 << 20, records, () => undefined, counters, memo)
    expect(other.drain(0)[0]).to.not.equal(sent[0][0])
    memo.clear()
    expect(memo.rpc).to.equal(undefined)
  })
})
