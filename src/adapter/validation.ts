// The user-validator pipeline: runs topic validators with a concurrency limit per topic, a bounded
// wait queue (excess counted and ignored) and an optional timeout (a late validator counts as Ignore).

import { TopicValidatorResult } from './message.ts'
import type { Message, TopicValidatorFn } from './message.ts'
import type { PeerId } from '@libp2p/interface'

export interface ValidationPipelineOptions {
  /** validators running at once per topic */
  concurrency: number
  /** per-topic concurrency overrides */
  topicConcurrency?(topic: string): number | undefined
  /** jobs waiting for a slot, over all topics; the excess is answered Ignore */
  maxQueued: number
  /** ms after which a pending validator's result is taken as Ignore; 0 = never */
  timeout: number
}

export interface ValidationCounters {
  /** jobs answered Ignore because the wait queue was full */
  queueDropped: number
  /** validators that did not answer within the timeout */
  timedOut: number
  /** validators that threw or rejected (counted as Reject) */
  errors: number
}

interface Job {
  validator: TopicValidatorFn
  peer: PeerId
  msg: Message
  done(result: TopicValidatorResult): void
}

interface TopicSlots {
  running: number
  waiting: Job[]
}

/** Runs validators; `done` is called exactly once per job. */
export class ValidationPipeline {
  private readonly opts: ValidationPipelineOptions
  /** topic → slots; an entry exists only while the topic has running or waiting jobs */
  private readonly topics = new Map<string, TopicSlots>()
  private queued = 0
  readonly counters: ValidationCounters = { queueDropped: 0, timedOut: 0, errors: 0 }

  constructor (opts: ValidationPipelineOptions) {
    this.opts = opts
  }

  /** jobs waiting for a slot */
  get waiting (): number { return this.queued }

  run (validator: TopicValidatorFn, peer: PeerId, msg: Message, done: (result: TopicValidatorResult) => void): void {
    let slots = this.topics.get(msg.topic)
    if (slots === undefined) {
      slots = { running: 0, waiting: [] }
      this.topics.set(msg.topic, slots)
    }
    const job: Job = { validator, peer, msg, done }
    const limit = this.opts.topicConcurrency?.(msg.topic) ?? this.opts.concurrency
    if (slots.running < limit) {
      this.start(slots, job)
    } else if (this.queued < this.opts.maxQueued) {
      slots.waiting.push(job)
      this.queued++
    } else {
      this.counters.queueDropped++
      done(TopicValidatorResult.Ignore)
    }
  }

  private start (slots: TopicSlots, job: Job): void {
    slots.running++
    let finished = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (result: TopicValidatorResult): void => {
      if (finished) { return }
      finished = true
      if (timer !== undefined) { clearTimeout(timer) }
      slots.running--
      job.done(result)
      this.next(job.msg.topic, slots)
    }
    let out: TopicValidatorResult | Promise<TopicValidatorResult>
    try {
      out = job.validator(job.peer, job.msg)
    } catch {
      this.counters.errors++
      finish(TopicValidatorResult.Reject)
      return
    }
    if (!(out instanceof Promise)) {
      finish(normalise(out))
      return
    }
    if (this.opts.timeout > 0) {
      timer = setTimeout(() => {
        this.counters.timedOut++
        finish(TopicValidatorResult.Ignore)
      }, this.opts.timeout)
    }
    out.then(r => { finish(normalise(r)) }, () => {
      this.counters.errors++
      finish(TopicValidatorResult.Reject)
    })
  }

  private next (topic: string, slots: TopicSlots): void {
    const job = slots.waiting.shift()
    if (job !== undefined) {
      this.queued--
      this.start(slots, job)
    } else if (slots.running === 0) {
      this.topics.delete(topic)
    }
  }
}

function normalise (r: unknown): TopicValidatorResult {
  return r === TopicValidatorResult.Reject || r === TopicValidatorResult.Ignore ? r : TopicValidatorResult.Accept
}
