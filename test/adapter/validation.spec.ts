import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { expect } from 'aegir/chai'
import { TopicValidatorResult } from '../../src/adapter/message.ts'
import { ValidationPipeline } from '../../src/adapter/validation.ts'
import { connect, createPubsubNode, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { Message } from '../../src/adapter/message.ts'
import type { PeerId } from '@libp2p/interface'

const msg = (topic: string, n: number): Message => ({ type: 'unsigned', topic, data: new Uint8Array([n]) })

/** Calls `fn` for each unhandled rejection (Node's process event, or the browsers' window/worker event). */
function watchUnhandledRejections (fn: (reason: unknown) => void): () => void {
  const proc = (globalThis as { process?: { on(ev: string, f: (r: unknown) => void): void, off(ev: string, f: (r: unknown) => void): void } }).process
  if (proc !== undefined) {
    proc.on('unhandledRejection', fn)
    return () => { proc.off('unhandledRejection', fn) }
  }
  const onEvent = (e: PromiseRejectionEvent): void => { fn(e.reason) }
  globalThis.addEventListener('unhandledrejection', onEvent)
  return () => { globalThis.removeEventListener('unhandledrejection', onEvent) }
}

describe('adapter/validation', () => {
  let peer: PeerId
  before(async () => { peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')) })

  it('limits concurrency per topic, queues within the bound, answers Ignore beyond it', async () => {
    const p = new ValidationPipeline({ concurrency: 2, maxQueued: 3, timeout: 0 })
    let running = 0
    let maxRunning = 0
    const release: Array<() => void> = []
    const validator = async (): Promise<TopicValidatorResult> => {
      running++
      maxRunning = Math.max(maxRunning, running)
      await new Promise<void>(resolve => release.push(resolve))
      running--
      return TopicValidatorResult.Accept
    }
    const results: string[] = []
    for (let i = 0; i < 6; i++) { p.run(validator, peer, msg('a', i), r => results.push(`a${i}:${r}`)) }
    // 2 running, 3 queued, the 6th is dropped at once
    expect(results).to.deep.equal(['a5:ignore'])
    expect(p.counters.queueDropped).to.equal(1)
    expect(p.waiting).to.equal(3)
    // another topic has its own slots but shares the full queue
    p.run(validator, peer, msg('b', 0), r => results.push(`b0:${r}`))
    expect(running).to.equal(3)
    while (release.length > 0) {
      release.shift()?.()
      await new Promise(resolve => setTimeout(resolve, 1))
    }
    expect(maxRunning).to.equal(3)
    expect(results.sort()).to.deep.equal(['a0:accept', 'a1:accept', 'a2:accept', 'a3:accept', 'a4:accept', 'a5:ignore', 'b0:accept'])
    expect(p.waiting).to.equal(0)
  })

  it('maps throwing validators to Reject and late ones to Ignore after the timeout', async () => {
    const p = new ValidationPipeline({ concurrency: 4, maxQueued: 10, timeout: 30 })
    const results: string[] = []
    p.run(() => { throw new Error('bad') }, peer, msg('t', 1), r => results.push(`throw:${r}`))
    p.run(async () => { throw new Error('bad') }, peer, msg('t', 2), r => results.push(`reject:${r}`))
    p.run(async () => new Promise<TopicValidatorResult>(() => {}), peer, msg('t', 3), r => results.push(`hang:${r}`))
    p.run(() => TopicValidatorResult.Reject, peer, msg('t', 4), r => results.push(`sync:${r}`))
    await new Promise(resolve => setTimeout(resolve, 60))
    expect(results.sort()).to.deep.equal(['hang:ignore', 'reject:reject', 'sync:reject', 'throw:reject'])
    expect(p.counters.timedOut).to.equal(1)
    expect(p.counters.errors).to.equal(2)
  })
})

describe('adapter/validation: errors in asynchronous paths', function () {
  this.timeout(30_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('a core input that throws after an async validator is counted, not an unhandled rejection', async () => {
    const [a, b] = nodes = [await createPubsubNode('memory'), await createPubsubNode('memory')]
    for (const n of nodes) { n.services.pubsub.subscribe('v') }
    await connect(a, b)
    await a.services.pubsub.waitForMesh('v')
    let validated = 0
    b.services.pubsub.topicValidators.set('v', async () => {
      validated++
      return TopicValidatorResult.Accept
    })
    // fault injection: the verdict's input to the core throws (the promise callback has no caller)
    const internals = b.services.pubsub as unknown as { router: { reportValidation(): void }, driver: { errors: number } }
    internals.router.reportValidation = () => { throw new Error('core failure') }
    const unhandled: unknown[] = []
    const onUnhandled = (err: unknown): void => { unhandled.push(err) }
    const stopWatching = watchUnhandledRejections(onUnhandled)
    try {
      await a.services.pubsub.publish('v', new Uint8Array([1]))
      await waitFor(() => validated === 1)
      await new Promise(resolve => setTimeout(resolve, 50))
    } finally {
      stopWatching()
    }
    expect(unhandled).to.deep.equal([])
    expect(internals.driver.errors).to.equal(1)
  })
})
