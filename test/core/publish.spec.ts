import { expect } from 'aegir/chai'
import { FloodsubID } from '../../src/core/types.ts'
import { Harness, TestScore, controlTo, makeMsg, messageRecipients, outputsOf, sends, traces } from './harness.ts'

function net (n: number, opts = {}, score?: TestScore, subscribe = true): Harness {
  const h = new Harness(opts, { score })
  for (let i = 0; i < n; i++) { h.connect(`p${i}`, ['t']) }
  if (subscribe) { h.router.subscribe('t', h.now) }
  h.take()
  return h
}

describe('core/publish: own messages', () => {
  it('flood publish goes to every topic peer with score ≥ publishThreshold, plus direct peers', () => {
    const score = new TestScore()
    const h = net(10, { directPeers: ['d'] }, score)
    h.connect('d', ['t'])
    h.connect('other', ['u'])
    score.scores.set('p0', -51)
    score.scores.set('p1', -50)
    score.scores.set('d', -1000)
    const m = makeMsg('t')
    const res = h.router.publish(m, h.now)
    expect(res.duplicate).to.equal(false)
    expect(res.recipients.sort()).to.deep.equal(['d', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'])
    const out = h.take()
    expect(messageRecipients(out, m.idKey).sort()).to.deep.equal(res.recipients)
    expect(sends(out).every(o => o.rpc.messages === undefined || o.priority === 1)).to.equal(true)
    expect(outputsOf(out, 'deliver')).to.have.length(0)
  })

  it('without flood publish: mesh peers, topped up to D when the mesh is thin, plus direct and floodsub peers', () => {
    const h = net(3, { floodPublish: false, directPeers: ['d'] })
    expect(h.router.getMeshPeers('t')).to.have.length(3)
    h.connect('d', ['t'])
    h.connect('f', ['t'], { protocol: FloodsubID })
    for (let i = 3; i < 10; i++) { h.connect(`p${i}`, ['t']) }
    // p3.. joined after our subscribe with the mesh at 3 < Dlo: they were grafted one by one to Dlo
    const mesh = h.router.getMeshPeers('t')
    const m = makeMsg('t')
    const res = h.router.publish(m, h.now)
    expect(res.recipients).to.include.members([...mesh, 'd', 'f'])
    expect(res.recipients.filter(p => p.startsWith('p'))).to.have.length(6)
  })

  it('not joined: fanout of D peers, refreshed by later publishes, forgotten after fanoutTTL', () => {
    const h = net(10, { floodPublish: false }, undefined, false)
    const res = h.router.publish(makeMsg('t'), h.now)
    expect(res.recipients).to.have.length(6)
    expect(h.router.getFanoutPeers('t').sort()).to.deep.equal(res.recipients.sort())
    h.advance(30_000)
    const again = h.router.publish(makeMsg('t'), h.now)
    expect(again.recipients.sort()).to.deep.equal(res.recipients.sort())
    h.advance(59_000)
    expect(h.router.getFanoutPeers('t')).to.have.length(6)
    // forgotten at the first heartbeat once fanoutTTL has passed (heartbeats fall at +100 ms)
    h.advance(1100)
    expect(h.router.getFanoutPeers('t')).to.deep.equal([])
  })

  it('no peers: empty recipients, no throw; a repeated publish is reported as duplicate', () => {
    const h = new Harness()
    const m = makeMsg('t')
    expect(h.router.publish(m, h.now)).to.deep.equal({ recipients: [], duplicate: false, noPeers: false, self: false })
    expect(h.router.publish(m, h.now)).to.deep.equal({ recipients: [], duplicate: true, noPeers: false, self: false })
    expect(h.router.isSeen(m.idKey)).to.equal(true)
  })

  it('requireRecipients with nobody to send to: noPeers, and no trace (not seen, not cached, no fanout), so a retry publishes', () => {
    const h = new Harness({ floodPublish: false })
    const m = makeMsg('t')
    expect(h.router.publish(m, h.now, { requireRecipients: true })).to.deep.equal({ recipients: [], duplicate: false, noPeers: true, self: false })
    expect(h.router.isSeen(m.idKey)).to.equal(false)
    expect(h.router.sizes()).to.include({ seen: 0, mcache: 0, fanoutTopics: 0 })
    h.connect('p0', ['t'])
    const res = h.router.publish(m, h.now, { requireRecipients: true })
    expect(res).to.deep.equal({ recipients: ['p0'], duplicate: false, noPeers: false, self: false })
    expect(messageRecipients(h.take(), m.idKey)).to.deep.equal(['p0'])
  })

  it('emitSelf: a local delivery counts as a recipient (requireRecipients is satisfied)', () => {
    const h = new Harness({ emitSelf: true })
    h.router.subscribe('t', h.now)
    h.take()
    const m = makeMsg('t')
    expect(h.router.publish(m, h.now, { requireRecipients: true })).to.deep.equal({ recipients: [], duplicate: false, noPeers: false, self: true })
    expect(outputsOf(h.take(), 'deliver')).to.have.length(1)
  })

  it('floodPublish per call overrides the config both ways', () => {
    const h = net(10, { floodPublish: false })
    const mesh = h.router.getMeshPeers('t')
    expect(mesh.length).to.be.lessThan(10)
    expect(h.router.publish(makeMsg('t'), h.now, { floodPublish: true }).recipients).to.have.length(10)
    expect(h.router.publish(makeMsg('t'), h.now).recipients.sort()).to.deep.equal(mesh.sort())
    const flooding = net(10, { floodPublish: true })
    const fmesh = flooding.router.getMeshPeers('t')
    expect(flooding.router.publish(makeMsg('t'), flooding.now).recipients).to.have.length(10)
    expect(flooding.router.publish(makeMsg('t'), flooding.now, { floodPublish: false }).recipients.sort()).to.deep.equal(fmesh.sort())
  })

  it('withdrawPublish forgets an own message: not seen, not served to IWANT, publishable again', () => {
    const h = net(2)
    const m = makeMsg('t')
    h.router.publish(m, h.now)
    h.take()
    h.router.withdrawPublish(m.idKey)
    expect(h.router.isSeen(m.idKey)).to.equal(false)
    expect(h.router.sizes()).to.include({ mcache: 0 })
    expect(sends(h.feed('p0', { control: { iwant: [{ messageIds: [m.id] }] } }), 'p0')).to.have.length(0)
    expect(h.router.publish(m, h.now).duplicate).to.equal(false)
  })

  it('emitSelf delivers our own publish locally when subscribed', () => {
    const h = new Harness({ emitSelf: true })
    h.router.subscribe('t', h.now)
    h.take()
    const m = makeMsg('t')
    h.router.publish(m, h.now)
    expect(outputsOf(h.take(), 'deliver')).to.deep.equal([{ type: 'deliver', msg: m, propagationSource: null }])
  })

  it('own publishes are cached and served to IWANT', () => {
    const h = net(2)
    const m = makeMsg('t')
    h.router.publish(m, h.now)
    h.take()
    const out = h.feed('p0', { control: { iwant: [{ messageIds: [m.id] }] } })
    expect(sends(out, 'p0')[0].rpc.messages).to.deep.equal([m])
  })
})

describe('core/validation and forwarding', () => {
  it('a new message: marked seen, score told, validate asked; accept delivers and forwards to the mesh', () => {
    const score = new TestScore()
    const h = net(8, {}, score)
    const mesh = h.router.getMeshPeers('t')
    const src = mesh[0]
    const m = makeMsg('t', { from: 'author' })
    let out = h.feed(src, { messages: [m] })
    expect(outputsOf(out, 'validate')).to.deep.equal([{ type: 'validate', msg: m, propagationSource: src }])
    expect(h.router.isSeen(m.idKey)).to.equal(true)
    expect(score.named('validateMessage')).to.deep.equal([[src, m.idKey]])
    expect(h.router.sizes().pendingValidations).to.equal(1)
    out = (h.router.reportValidation(m.idKey, 'accept', h.now), h.take())
    expect(outputsOf(out, 'deliver')).to.deep.equal([{ type: 'deliver', msg: m, propagationSource: src }])
    expect(messageRecipients(out, m.idKey).sort()).to.deep.equal(mesh.slice(1).sort())
    expect(sends(out).every(o => o.priority === 2)).to.equal(true)
    expect(score.named('deliverMessage')).to.deep.equal([[src, m.idKey]])
    expect(h.router.sizes().pendingValidations).to.equal(0)
  })

  it('forwarding skips the source, the author, peers that sent a copy and IDONTWANT senders', () => {
    const h = net(8)
    const mesh = h.router.getMeshPeers('t')
    const [src, author, dup, dontwant] = mesh
    const m = makeMsg('t', { from: author })
    h.feed(dontwant, { control: { idontwant: [{ messageIds: [m.id] }] } })
    h.feed(src, { messages: [m] })
    const dupOut = h.feed(dup, { messages: [m] })
    expect(traces(dupOut, 'duplicate')).to.have.length(1)
    h.router.reportValidation(m.idKey, 'accept', h.now)
    expect(messageRecipients(h.take(), m.idKey).sort()).to.deep.equal(mesh.slice(4).sort())
  })

  it('a verdict naming another source (the app\'s, as @libp2p/gossipsub): that peer is credited or penalised and not forwarded to', () => {
    const score = new TestScore()
    const h = net(8, {}, score)
    const mesh = h.router.getMeshPeers('t')
    const [first, named] = mesh
    const m = makeMsg('t')
    h.feed(first, { messages: [m] })
    h.router.reportValidation(m.idKey, 'accept', h.now, undefined, named)
    const out = h.take()
    expect(outputsOf(out, 'deliver')).to.deep.equal([{ type: 'deliver', msg: m, propagationSource: named }])
    expect(messageRecipients(out, m.idKey).sort()).to.deep.equal(mesh.slice(2).sort())
    expect(score.named('deliverMessage')).to.deep.equal([[named, m.idKey]])
    const bad = makeMsg('t')
    h.feed(first, { messages: [bad] })
    h.router.reportValidation(bad.idKey, 'reject', h.now, 'validator-reject', named)
    expect(score.named('rejectMessage')).to.deep.equal([[named, bad.idKey, 'validator-reject']])
  })

  it('forwards to direct peers and floodsub peers of the topic too', () => {
    const h = net(2, { directPeers: ['d'] })
    h.connect('d', ['t'])
    h.connect('f', ['t'], { protocol: FloodsubID })
    h.connect('f2', ['u'], { protocol: FloodsubID })
    const m = makeMsg('t')
    h.feed('p0', { messages: [m] })
    h.router.reportValidation(m.idKey, 'accept', h.now)
    expect(messageRecipients(h.take(), m.idKey).sort()).to.deep.equal(['d', 'f', 'p1'])
  })

  it('reject: P4 with the reason, not delivered, not forwarded; ignore: no penalty', () => {
    const score = new TestScore()
    const h = net(4, {}, score)
    const a = makeMsg('t')
    const b = makeMsg('t')
    h.feed('p0', { messages: [a, b] })
    h.router.reportValidation(a.idKey, 'reject', h.now, 'validator-reject')
    h.router.reportValidation(b.idKey, 'ignore', h.now)
    const out = h.take()
    expect(outputsOf(out, 'deliver')).to.have.length(0)
    expect(messageRecipients(out, a.idKey)).to.have.length(0)
    expect(messageRecipients(out, b.idKey)).to.have.length(0)
    expect(score.named('rejectMessage')).to.deep.equal([['p0', a.idKey, 'validator-reject']])
    expect(score.named('ignoreMessage')).to.deep.equal([['p0', b.idKey]])
    expect(traces(out, 'reject')).to.have.length(2)
    // a second copy of a message the validator rejected is a duplicate, never validated again
    expect(outputsOf(h.feed('p1', { messages: [a] }), 'validate')).to.have.length(0)
  })

  it('duplicates are told to the score and not delivered again; unknown validation results are ignored', () => {
    const score = new TestScore()
    const h = net(3, {}, score)
    const m = makeMsg('t')
    h.feed('p0', { messages: [m] })
    h.router.reportValidation(m.idKey, 'accept', h.now)
    h.take()
    const out = h.feed('p1', { messages: [m] })
    expect(outputsOf(out, 'validate')).to.have.length(0)
    expect(score.named('duplicateMessage')).to.deep.equal([['p1', m.idKey]])
    h.router.reportValidation(m.idKey, 'accept', h.now)
    expect(outputsOf(h.take(), 'deliver')).to.have.length(0)
  })

  it('a message id is forgotten after seenTTL and can then be received as new', () => {
    const h = net(2, { seenTTL: 10_000 })
    const m = makeMsg('t')
    h.feed('p0', { messages: [m] })
    h.router.reportValidation(m.idKey, 'accept', h.now)
    h.advance(9000)
    expect(h.router.isSeen(m.idKey)).to.equal(true)
    expect(outputsOf(h.feed('p1', { messages: [m] }), 'validate')).to.have.length(0)
    h.advance(2000)
    expect(h.router.isSeen(m.idKey)).to.equal(false)
    expect(outputsOf(h.feed('p1', { messages: [m] }), 'validate')).to.have.length(1)
    expect(h.router.stats()).to.include({ seen: 1, pendingValidations: 1 })
  })

  it('drops messages of topics we do not subscribe to', () => {
    const h = net(2)
    const out = h.feed('p0', { messages: [makeMsg('other')] })
    expect(outputsOf(out, 'validate')).to.have.length(0)
    expect(h.router.counters().messagesUnsubscribedTopic).to.equal(1)
  })

  it('a message claiming to be ours that we did not publish is rejected (self-origin)', () => {
    const score = new TestScore()
    const h = net(2, {}, score)
    const m = makeMsg('t', { from: 'me' })
    const out = h.feed('p0', { messages: [m] })
    expect(outputsOf(out, 'validate')).to.have.length(0)
    expect(score.named('rejectMessage')).to.deep.equal([['p0', m.idKey, 'self-origin']])
  })

  it('pending validations are bounded; the excess is dropped as ignored and counted', () => {
    const h = net(2, { maxPendingValidations: 3 })
    const msgs = Array.from({ length: 5 }, () => makeMsg('t'))
    const out = h.feed('p0', { messages: msgs })
    expect(outputsOf(out, 'validate')).to.have.length(3)
    expect(h.router.sizes().pendingValidations).to.equal(3)
    expect(h.router.counters().pendingValidationsDropped).to.equal(2)
    // dropped messages were not marked seen: a later copy can still be validated
    expect(h.router.isSeen(msgs[4].idKey)).to.equal(false)
  })

  it('pending validations the adapter never answers expire after seenTTL as ignored', () => {
    const score = new TestScore()
    const h = net(2, { seenTTL: 5000 }, score)
    const m = makeMsg('t')
    h.feed('p0', { messages: [m] })
    h.advance(7000)
    expect(h.router.sizes().pendingValidations).to.equal(0)
    expect(score.named('ignoreMessage')).to.deep.equal([['p0', m.idKey]])
    expect(h.router.isSeen(m.idKey)).to.equal(false)
  })

  it('IDONTWANT goes out before validation to ≥1.2 mesh peers except the sender, for large messages only', () => {
    const h = net(6, { idontwantMinDataSize: 1000 })
    const mesh = h.router.getMeshPeers('t')
    const big = makeMsg('t', { size: 1000 })
    const out = h.feed(mesh[0], { messages: [big] })
    const idw = sends(out).filter(o => (o.rpc.control?.idontwant.length ?? 0) > 0)
    expect(idw.map(o => o.peer).sort()).to.deep.equal(mesh.slice(1).sort())
    expect(idw[0].rpc.control?.idontwant).to.deep.equal([{ messageIds: [big.id] }])
    // IDONTWANT precedes the validate output
    expect(out.findIndex(o => o.type === 'validate')).to.be.greaterThan(out.indexOf(idw[idw.length - 1]))
    const small = makeMsg('t', { size: 999 })
    expect(controlTo(h.feed(mesh[0], { messages: [small] }), mesh[1]).idontwant).to.have.length(0)
  })
})
