// `meshsub node`: one meshsub node on a real network. Publishes stdin lines, prints received
// messages (text or JSON lines), keeps a stable identity (--key), serves Prometheus metrics.

import { createInterface } from 'node:readline'
import { multiaddr } from '@multiformats/multiaddr'
import { StrictNoSign, StrictSign } from '../index.ts'
import { choiceOpt, listOpt, numberOpt, parse, stringOpt, UsageError } from './args.ts'
import { loadOrCreateKey } from './identity.ts'
import { browserAddrs, createMeshsubNode } from './libp2p-node.ts'
import { PrometheusRegistry } from './prometheus.ts'
import { stamp, unstamp, wallClock } from './stamp.ts'
import type { MeshsubNode } from './libp2p-node.ts'
import type { GossipsubMessage, SignaturePolicy } from '../index.ts'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Server } from 'node:http'

export const NODE_HELP = `Usage: meshsub node --topic TOPIC [options]

Joins a GossipSub network over TCP and WebSockets (noise, yamux, identify). Every line read from stdin is
published to the first topic; every message received is printed on stdout. Status (listen
addresses, mesh changes, errors) goes to stderr. Ctrl-C (SIGINT) or SIGTERM stops it cleanly.

Options:
  --topic TOPIC          topic to join (repeatable; stdin lines go to the first); required
  --listen MULTIADDR     address to listen on (repeatable; default /ip4/0.0.0.0/tcp/0);
                         /ip4/0.0.0.0/tcp/4002/ws listens on WebSockets for browsers, and
                         the addresses a browser can dial are printed as "browser address"
  --relay                also serve as a circuit relay (v2) so browsers can reach each other
                         through this node and upgrade to direct WebRTC connections
  --bootstrap MULTIADDR  peer to dial at start, e.g. /ip4/1.2.3.4/tcp/4001/p2p/12D3Koo…
                         (repeatable or comma-separated; retried every 10 s while not connected)
  --json                 print received messages as JSON lines:
                         {"topic","from","via","msgId","seqno","data","latencyMs"}
                         (data that is not UTF-8 comes as null, plus "dataBase64")
  --stamp                put a send-time stamp in front of published lines so receivers
                         print the latency (meshsub nodes strip it; other software sees it)
  --key FILE             private key file for a stable peer id (created if missing)
  --sign POLICY          StrictSign (default) or StrictNoSign; must match the network
  --metrics-port PORT    serve Prometheus metrics at http://HOST:PORT/metrics
  --metrics-host HOST    address the metrics server binds (default 127.0.0.1)
  -h, --help             this help
`

export interface NodeCmdOptions {
  topics: string[]
  listen: string[]
  bootstrap: Multiaddr[]
  json: boolean
  stamp: boolean
  key?: string
  sign: SignaturePolicy
  relay: boolean
  metricsPort?: number
  metricsHost: string
}

function toMultiaddr (flag: string, s: string): Multiaddr {
  try {
    return multiaddr(s)
  } catch (err: any) {
    throw new UsageError(`--${flag} "${s}" is not a valid multiaddr (${String(err?.message ?? err)})`)
  }
}

/** Parses `meshsub node` arguments; undefined when help was asked for. */
export function parseNodeArgs (argv: string[]): NodeCmdOptions | undefined {
  const { values } = parse(argv, {
    topic: { type: 'string', multiple: true },
    listen: { type: 'string', multiple: true },
    bootstrap: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    stamp: { type: 'boolean' },
    relay: { type: 'boolean' },
    key: { type: 'string' },
    sign: { type: 'string' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help === true) { return undefined }
  const topics = listOpt(values, 'topic')
  if (topics.length === 0) { throw new UsageError('--topic is required (the topic to join)') }
  const listen = listOpt(values, 'listen')
  const bootstrap = listOpt(values, 'bootstrap').map(s => toMultiaddr('bootstrap', s))
  for (const l of listen) { toMultiaddr('listen', l) }
  return {
    topics,
    listen: listen.length > 0 ? listen : ['/ip4/0.0.0.0/tcp/0'],
    bootstrap,
    json: values.json === true,
    stamp: values.stamp === true,
    key: stringOpt(values, 'key'),
    sign: choiceOpt(values, 'sign', [StrictSign, StrictNoSign] as const) ?? StrictSign,
    relay: values.relay === true,
    metricsPort: numberOpt(values, 'metrics-port', 0, 65535),
    metricsHost: stringOpt(values, 'metrics-host') ?? '127.0.0.1'
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** The bytes as text, or undefined when they are not UTF-8 (binary payloads of other software). */
function utf8 (bytes: Uint8Array): string | undefined {
  try { return strictUtf8.decode(bytes) } catch { return undefined }
}

/** One received message as a printable line (text or JSON; binary data as base64 in JSON). */
export function formatMessage (ev: GossipsubMessage, json: boolean, now = wallClock()): string {
  const { msg, msgId, propagationSource } = ev
  const s = unstamp(msg.data)
  const body = s?.body ?? msg.data
  const text = utf8(body)
  const latencyMs = s === undefined ? undefined : Math.round((now - s.sentAt) * 100) / 100
  const from = msg.type === 'signed' ? msg.from.toString() : undefined
  if (json) {
    return JSON.stringify({
      topic: msg.topic,
      from: from ?? null,
      via: propagationSource.toString(),
      msgId,
      seqno: msg.type === 'signed' ? msg.sequenceNumber.toString() : null,
      data: text ?? null,
      ...(text === undefined ? { dataBase64: Buffer.from(body).toString('base64') } : {}),
      ...(latencyMs === undefined ? {} : { latencyMs })
    })
  }
  const who = (from ?? `via ${propagationSource.toString()}`).slice(-8)
  return `[${msg.topic}] ${who}: ${text ?? `<${body.length} bytes, not UTF-8>`}${latencyMs === undefined ? '' : ` (${latencyMs} ms)`}`
}

function registerNodeMetrics (reg: PrometheusRegistry, node: MeshsubNode, counts: { published: number, received: number, failed: number }): void {
  const ps = node.services.pubsub
  reg.metrics.registerMetric('meshsub_node_peers', { help: 'pubsub peers connected', calculate: () => ps.getPeers().length })
  reg.metrics.registerMetric('meshsub_node_connections', { help: 'libp2p connections open', calculate: () => node.getConnections().length })
  reg.metrics.registerMetricGroup('meshsub_node_mesh_peers', { label: 'topic', help: 'mesh peers per topic', calculate: () => Object.fromEntries(ps.getTopics().map(t => [t, ps.getMeshPeers(t).length])) })
  reg.metrics.registerMetricGroup('meshsub_node_topic_peers', { label: 'topic', help: 'subscribed peers per topic', calculate: () => Object.fromEntries(ps.getTopics().map(t => [t, ps.getSubscribers(t).length])) })
  reg.metrics.registerCounterGroup('meshsub_node_messages_total', { label: 'kind', help: 'messages published from stdin, publish failures, messages received', calculate: () => ({ published: counts.published, publish_failed: counts.failed, received: counts.received }) })
}

function status (line: string): void {
  process.stderr.write(line + '\n')
}

/** Dials bootstrap peers we are not connected to; repeated while the node runs. */
async function dialBootstraps (node: MeshsubNode, addrs: Multiaddr[], signal: AbortSignal, quietFailures: boolean): Promise<void> {
  for (const addr of addrs) {
    const id = addr.getComponents().find(c => c.name === 'p2p')?.value
    if (id !== undefined && node.getConnections().some(c => c.remotePeer.toString() === id)) { continue }
    try {
      await node.dial(addr, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) })
      status(`connected to ${addr.toString()}`)
    } catch (err: any) {
      if (!signal.aborted && !quietFailures) { status(`could not dial ${addr.toString()}: ${String(err?.message ?? err)} (retrying every 10 s)`) }
    }
  }
}

function publishLines (node: MeshsubNode, opts: NodeCmdOptions, counts: { published: number, failed: number }): void {
  const topic = opts.topics[0]
  const rl = createInterface({ input: process.stdin, terminal: false })
  rl.on('line', line => {
    const data = new TextEncoder().encode(line)
    node.services.pubsub.publish(topic, opts.stamp ? stamp(data) : data).then(() => {
      counts.published++
    }, (err: any) => {
      counts.failed++
      const why = String(err?.message ?? err)
      status(`not published: ${why}${why.includes('NoPeersSubscribedToTopic') ? ` (no peer has joined ${topic} yet)` : ''}`)
    })
  })
}

/** Runs the node until SIGINT/SIGTERM; resolves to the exit code. */
export async function runNode (opts: NodeCmdOptions): Promise<number> {
  const identity = opts.key === undefined ? undefined : await loadOrCreateKey(opts.key)
  const registry = opts.metricsPort === undefined ? undefined : new PrometheusRegistry()
  const node = await createMeshsubNode({
    listen: opts.listen,
    privateKey: identity?.key,
    relay: opts.relay,
    metrics: registry === undefined ? undefined : () => registry.metrics,
    // every joined topic gets its own label in the service's metrics
    pubsub: { globalSignaturePolicy: opts.sign, metricsTopicStrToLabel: new Map(opts.topics.map(t => [t, t])) }
  })
  const counts = { published: 0, received: 0, failed: 0 }
  let server: Server | undefined
  const abort = new AbortController()
  const stopped = Promise.withResolvers<number>()
  const shutdown = (sig: string): void => {
    if (abort.signal.aborted) { process.exit(130) }
    status(`${sig}: stopping…`)
    abort.abort()
    Promise.allSettled([node.stop(), new Promise(resolve => server?.close(resolve) ?? resolve(undefined))]).then(() => { stopped.resolve(0) }, () => { stopped.resolve(1) })
  }
  process.on('SIGINT', () => { shutdown('SIGINT') })
  process.on('SIGTERM', () => { shutdown('SIGTERM') })

  if (identity !== undefined) { status(`${identity.created ? 'created' : 'loaded'} key ${opts.key ?? ''}`) }
  status(`peer id ${node.peerId.toString()}`)
  for (const a of node.getMultiaddrs()) { status(`listening on ${a.toString()}`) }
  const forBrowsers = browserAddrs(node)
  for (const a of forBrowsers) { status(`browser address ${a}`) }
  if (forBrowsers.length === 0) { status('no WebSockets address: browsers cannot dial this node (add --listen /ip4/0.0.0.0/tcp/4002/ws)') }
  if (opts.relay) { status(`circuit relay on: browsers reserve a slot at ${forBrowsers[0] ?? '<a WebSockets address>'}/p2p-circuit`) }
  if (registry !== undefined && opts.metricsPort !== undefined) {
    registerNodeMetrics(registry, node, counts)
    server = await registry.serve(opts.metricsPort, opts.metricsHost)
    const addr = server.address()
    status(`metrics on http://${opts.metricsHost}:${typeof addr === 'object' && addr !== null ? addr.port : opts.metricsPort}/metrics`)
  }

  const ps = node.services.pubsub
  const shown = new Map<string, number>()
  const showMesh = (topic: string): void => {
    const n = ps.getMeshPeers(topic).length
    if (shown.get(topic) === n) { return }
    shown.set(topic, n)
    status(`mesh ${topic}: ${n} peer${n === 1 ? '' : 's'}`)
  }
  ps.addEventListener('gossipsub:graft', e => { showMesh(e.detail.topic) })
  ps.addEventListener('gossipsub:prune', e => { showMesh(e.detail.topic) })
  // a peer that disconnects leaves the mesh without a PRUNE (no event): look once the router has removed it
  node.addEventListener('peer:disconnect', () => { setTimeout(() => { for (const t of opts.topics) { showMesh(t) } }, 0) })
  ps.addEventListener('gossipsub:message', e => {
    counts.received++
    process.stdout.write(formatMessage(e.detail, opts.json) + '\n')
  })
  for (const t of opts.topics) { ps.subscribe(t) }
  publishLines(node, opts, counts)

  if (opts.bootstrap.length > 0) {
    await dialBootstraps(node, opts.bootstrap, abort.signal, false)
    const retry = setInterval(() => { void dialBootstraps(node, opts.bootstrap, abort.signal, true) }, 10_000)
    abort.signal.addEventListener('abort', () => { clearInterval(retry) })
  }
  return stopped.promise
}

/** `meshsub node …`: resolves to the exit code. */
export async function nodeMain (argv: string[]): Promise<number> {
  let opts: NodeCmdOptions | undefined
  try {
    opts = parseNodeArgs(argv)
    if (opts === undefined) {
      process.stdout.write(NODE_HELP)
      return 0
    }
    return await runNode(opts)
  } catch (err) {
    if (!(err instanceof UsageError)) { throw err }
    process.stderr.write(`meshsub node: ${err.message}\nTry 'meshsub node --help'.\n`)
    return 2
  }
}
