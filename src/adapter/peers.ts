// Pubsub streams per connected peer: the one outbound stream (opened on connect, reopened after a
// reset while the connection lives) with its send queue and writer, and the current inbound stream's read loop.

import { CodecError } from '../codec/errors.ts'
import { FrameReader } from '../codec/frame.ts'
import { PeerWriter, readFrames } from './stream.ts'
import type { SendQueueStats } from './events.ts'
import type { IdForm } from './id-forms.ts'
import type { SendQueueOptions } from './send-queue.ts'
import type { PeerKey } from '../core/types.ts'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export interface PeerHooks {
  /**
   * an outbound stream is up (again): the peer can be added to the router; `streamReused`: the
   * peer reopened its side only, our outbound stream (and its first RPC) is the one it had
   */
  ready(peer: PeerEntry, protocol: string, outbound: boolean, ip: string | undefined, streamReused: boolean): void
  /** the peer's outbound stream is gone: remove it from the router */
  gone(peer: PeerEntry): void
  /** one frame body from the peer; a CodecError thrown here resets the inbound stream */
  frame(peer: PeerEntry, body: Uint8Array): void | Promise<void>
  /** a malformed or over-limit frame from the peer (its inbound stream is being reset) */
  badFrame(peer: PeerEntry): void
  /** the peer's send queue crossed into or out of overflow */
  slow(peer: PeerEntry, slow: boolean): void
}

export interface PeerStreamsOptions {
  protocols: string[]
  queue: SendQueueOptions
  maxTransmitSize: number
  runOnLimitedConnection: boolean
  /** the peer's open connections (to reopen a stream on another one) */
  connections(id: PeerId): Connection[]
  now(): number
  log: Logger
  hooks: PeerHooks
}

/**
 * One connected peer's streams: its outbound stream's writer and send queue (the classes it
 * extends) and the stream bookkeeping. One object per peer, with no closures.
 */
export class PeerEntry extends PeerWriter<PeerStreamsOptions> {
  readonly key: PeerKey
  readonly id: PeerId
  outbound: Stream | undefined = undefined
  opening = false
  /** asked to open while an attempt was under way: if that attempt fails, one more is made */
  retryOpen = false
  inbound: Stream | undefined = undefined
  connection: Connection | undefined = undefined
  /** true while the router knows the peer */
  added = false
  /** inbound streams reset for malformed or over-limit frames */
  badFrames = 0
  /**
   * resolved when the router knows the peer or the peer is gone; created by the first frame that
   * has to wait for that (see `whenAdded`), so most peers never hold one
   */
  added$: PromiseWithResolvers<void> | undefined = undefined
  /** what the router was told at `ready` */
  info: { protocol: string, outbound: boolean, ip: string | undefined } | undefined = undefined
  /** an inbound stream was seen before: a later one means the peer restarted its side */
  hadInbound = false
  /** the message id form the peer speaks (id-forms.ts) */
  idForm: IdForm | undefined = undefined
  /** times (ms) of recent stream restarts, at most MAX_RESTARTS kept; created on the first restart */
  restarts: number[] | undefined = undefined

  constructor (id: PeerId, key: PeerKey, opts: PeerStreamsOptions) {
    super(opts)
    this.key = key
    this.id = id
  }

  override slowChanged (slow: boolean): void {
    this.opts.hooks.slow(this, slow)
  }

  override writeFailed (err: Error): void {
    this.opts.log('write to %p failed: %s', this.id, err.message)
  }
}

/** Resolves once the router knows `entry` or the peer is gone (frames read before that wait here). */
export async function whenAdded (entry: PeerEntry): Promise<void> {
  await (entry.added$ ??= Promise.withResolvers<void>()).promise
}

/** Lets every frame waiting in `whenAdded` go on. */
function releaseWaiters (entry: PeerEntry): void {
  entry.added$?.resolve()
  entry.added$ = undefined
}

/** Stream restarts (ours or the peer's) allowed per peer within RESTART_WINDOW ms; beyond, we stop. */
const MAX_RESTARTS = 5
const RESTART_WINDOW = 60_000

/** The connected pubsub peers' streams. Bound: one entry per connected peer; pruned on disconnect. */
export class PeerStreams {
  private readonly opts: PeerStreamsOptions
  private readonly peers = new Map<PeerKey, PeerEntry>()
  /** connections we listen on for 'close' (the registrar only reports peers that identified our protocol) */
  private readonly tracked = new WeakSet<Connection>()
  private stopped = false

  constructor (opts: PeerStreamsOptions) {
    this.opts = opts
  }

  get (peer: PeerKey): PeerEntry | undefined { return this.peers.get(peer) }

  all (): IterableIterator<PeerEntry> { return this.peers.values() }

  /** a peer's send-queue figures */
  stats (peer: PeerKey): SendQueueStats | undefined {
    const q = this.peers.get(peer)
    return q === undefined ? undefined : { length: q.length, bytes: q.bytes, slow: q.slow, drops: { ...q.drops } }
  }

  /** Takes up open connections of peers that speak our protocols (known before we started). */
  async adopt (connections: Connection[], speaksPubsub: (id: PeerId) => Promise<boolean>): Promise<void> {
    await Promise.all(connections.map(async conn => {
      if (conn.status === 'open' && await speaksPubsub(conn.remotePeer)) { this.onConnect(conn.remotePeer, conn) }
    }))
  }

  onConnect (id: PeerId, connection: Connection): void {
    if (this.stopped) { return }
    const entry = this.entry(id)
    this.use(entry, connection)
    this.openOutbound(entry)
  }

  onDisconnect (id: PeerId): void {
    const entry = this.peers.get(id.toString())
    if (entry === undefined) { return }
    this.peers.delete(entry.key)
    entry.outbound?.abort(new Error('peer disconnected'))
    entry.inbound?.abort(new Error('peer disconnected'))
    entry.detach()
    entry.clear()
    // frames waiting for the peer to be added give up
    releaseWaiters(entry)
    if (entry.added) {
      entry.added = false
      this.opts.hooks.gone(entry)
    }
  }

  /** A new inbound stream replaces the previous one (a peer reopens after a reset). */
  onInbound (stream: Stream, connection: Connection): void {
    if (this.stopped) {
      stream.abort(new Error('stopped'))
      return
    }
    const entry = this.entry(connection.remotePeer)
    if (entry.hadInbound && !this.allowRestart(entry)) {
      stream.abort(new Error('too many stream restarts'))
      return
    }
    entry.inbound?.abort(new Error('replaced by a new inbound stream'))
    entry.inbound = stream
    if (entry.hadInbound && entry.added && entry.info !== undefined) {
      // the peer reopened its stream and forgot our state: re-add it so it gets our hello again. Our
      // stream stays: reopening it too would look like a restart of ours and make the peer do the same
      this.opts.hooks.gone(entry)
      this.opts.hooks.ready(entry, entry.info.protocol, entry.info.outbound, entry.info.ip, true)
    }
    entry.hadInbound = true
    this.use(entry, connection)
    this.openOutbound(entry)
    const reader = new FrameReader({ maxTransmitSize: this.opts.maxTransmitSize })
    readFrames(stream, reader, body => this.opts.hooks.frame(entry, body))
      .catch(err => {
        if (err instanceof CodecError) {
          entry.badFrames++
          this.opts.hooks.badFrame(entry)
          this.opts.log('resetting inbound stream of %p: %s', entry.id, err.message)
        } else if (stream.status === 'open') {
          this.opts.log.error('reading from %p failed: %e', entry.id, err)
        }
        stream.abort(err as Error)
      })
      .finally(() => {
        if (entry.inbound === stream) { entry.inbound = undefined }
      })
  }

  stop (): void {
    this.stopped = true
    for (const entry of this.peers.values()) {
      entry.outbound?.abort(new Error('stopping'))
      entry.inbound?.abort(new Error('stopping'))
      entry.detach()
      entry.clear()
      releaseWaiters(entry)
    }
    this.peers.clear()
  }

  /** Takes `connection` for the outbound stream unless one is open, and forgets the peer when its last connection closes. */
  private use (entry: PeerEntry, connection: Connection): void {
    if (entry.connection === undefined || entry.connection.status !== 'open') { entry.connection = connection }
    if (this.tracked.has(connection)) { return }
    this.tracked.add(connection)
    connection.addEventListener('close', () => {
      if (!this.opts.connections(entry.id).some(c => c.status === 'open')) { this.onDisconnect(entry.id) }
    }, { once: true })
  }

  private entry (id: PeerId): PeerEntry {
    const key = id.toString()
    let entry = this.peers.get(key)
    if (entry === undefined) {
      entry = new PeerEntry(id, key, this.opts)
      this.peers.set(key, entry)
    }
    return entry
  }

  private openOutbound (entry: PeerEntry): void {
    const conn = entry.connection
    if (entry.opening) {
      // an attempt begun before (e.g. while the peer's service was stopped) may still fail: then try again
      entry.retryOpen = true
      return
    }
    if (entry.outbound !== undefined || conn === undefined || conn.status !== 'open') { return }
    entry.opening = true
    entry.retryOpen = false
    conn.newStream(this.opts.protocols, { runOnLimitedConnection: this.opts.runOnLimitedConnection })
      .then(stream => {
        entry.opening = false
        if (this.stopped || this.peers.get(entry.key) !== entry) {
          stream.abort(new Error('peer gone'))
          return
        }
        entry.outbound = stream
        stream.addEventListener('close', () => { this.outboundClosed(entry, stream) })
        entry.attach(stream)
        entry.added = true
        entry.info = { protocol: stream.protocol, outbound: conn.direction === 'outbound', ip: ipOf(conn) }
        this.opts.hooks.ready(entry, entry.info.protocol, entry.info.outbound, entry.info.ip, false)
        releaseWaiters(entry)
      }, err => {
        entry.opening = false
        this.opts.log.trace('no pubsub stream to %p: %s', entry.id, (err as Error).message)
        if (entry.retryOpen && !this.stopped && this.peers.get(entry.key) === entry) { this.openOutbound(entry) }
      })
  }

  /** Records a restart; false once the peer has restarted too often lately. */
  private allowRestart (entry: PeerEntry): boolean {
    const now = this.opts.now()
    const restarts = (entry.restarts ??= [])
    while (restarts.length > 0 && restarts[0] < now - RESTART_WINDOW) { restarts.shift() }
    if (restarts.length >= MAX_RESTARTS) {
      this.opts.log('%p restarted its pubsub streams %d times in %d ms: not reopening', entry.id, MAX_RESTARTS, RESTART_WINDOW)
      return false
    }
    restarts.push(now)
    return true
  }

  /** The outbound stream died (reset by the peer, or the connection closed): reopen if we can. */
  private outboundClosed (entry: PeerEntry, stream: Stream): void {
    if (entry.outbound !== stream) { return }
    entry.outbound = undefined
    entry.detach()
    if (entry.added) {
      entry.added = false
      this.opts.hooks.gone(entry)
    }
    if (this.stopped || this.peers.get(entry.key) !== entry || !this.allowRestart(entry)) { return }
    if (entry.connection?.status !== 'open') {
      entry.connection = this.opts.connections(entry.id).find(c => c.status === 'open')
    }
    this.openOutbound(entry)
  }
}

function ipOf (conn: Connection): string | undefined {
  const m = /^\/ip[46]\/([^/]+)/.exec(conn.remoteAddr.toString())
  return m?.[1]
}
