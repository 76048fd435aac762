// The browser chat page: a meshsub node in the tab that dials the `meshsub node` bootstrap over
// WebSockets, reserves a relay slot there, and meets the other tabs over direct WebRTC.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../../src/index.ts'
import type { GossipSub } from '../../src/index.ts'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

const params = new URLSearchParams(location.search)
const topic = params.get('topic') ?? 'chat'
/** where tabs announce their WebRTC addresses; the bootstrap node joins it so it relays them */
const peersTopic = `${topic}-peers`
const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement

export interface ChatLine { from: string, text: string, via: string }

/** the bootstrap node's peer id, so the page can say which peer is the terminal */
let bootstrapId = ''

function short (id: PeerId | string): string {
  const s = id.toString()
  return s === bootstrapId ? `${s.slice(-8)} (bootstrap)` : s.slice(-8)
}

/** How a connection travels, as a person reads it. */
function transportOf (c: Connection): string {
  const a = c.remoteAddr.toString()
  if (a.includes('/webrtc')) { return 'WebRTC' }
  if (a.includes('/p2p-circuit')) { return 'relayed' }
  if (a.includes('/ws')) { return 'WebSockets' }
  return a
}

async function start (): Promise<void> {
  const bootstrap = params.get('bootstrap')
  if (bootstrap === null) {
    $('me').textContent = 'add ?bootstrap=<browser address printed by meshsub node> to the URL'
    return
  }
  bootstrapId = multiaddr(bootstrap).getComponents().filter(c => c.name === 'p2p').pop()?.value ?? ''
  const node: Libp2p<{ pubsub: GossipSub, identify: unknown }> = await createLibp2p({
    // a relay slot at the bootstrap node, and WebRTC through it
    addresses: { listen: ['/p2p-circuit', '/webrtc'] },
    transports: [
      webSockets(),
      // tabs on one machine or LAN need only host candidates; peers behind NATs need STUN/TURN here
      webRTC({ rtcConfiguration: { iceServers: [] } }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // browsers refuse private and loopback addresses by default; this demo runs on them
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: gossipsub() }
  }) as any
  const ps = node.services.pubsub
  const lines: ChatLine[] = []
  ;(globalThis as any).chat = { node, lines, send }
  $('me').textContent = `you are ${node.peerId.toString()}`
  $('topic').textContent = topic

  const log = (l: ChatLine, mine = false): void => {
    lines.push(l)
    const li = document.createElement('li')
    li.innerHTML = '<span class="who"></span>: <span class="text"></span> <span class="via"></span>'
    const [who, body, via] = Array.from(li.children) as HTMLElement[]
    who.textContent = mine ? 'you' : l.from
    if (mine) { who.classList.add('me') }
    body.textContent = l.text
    via.textContent = mine ? '' : `via ${l.via}`
    $('log').append(li)
    $('log').scrollTop = $('log').scrollHeight
  }

  async function send (text: string): Promise<void> {
    await ps.publish(topic, new TextEncoder().encode(text))
    log({ from: short(node.peerId), text, via: '' }, true)
  }

  ps.addEventListener('gossipsub:message', e => {
    const { msg, propagationSource } = e.detail
    const text = new TextDecoder().decode(msg.data)
    const from = msg.type === 'signed' ? msg.from : propagationSource
    if (msg.topic === topic) {
      const conn = node.getConnections(propagationSource).find(c => c.limits === undefined)
      log({ from: short(from), text, via: conn === undefined ? '?' : `${transportOf(conn)} from ${short(propagationSource)}` })
    } else if (msg.topic === peersTopic) {
      void dialAnnounced(text)
    }
  })

  /** Another tab's WebRTC addresses: dial it unless a direct connection exists. */
  async function dialAnnounced (json: string): Promise<void> {
    let addrs: string[]
    try { addrs = JSON.parse(json) } catch { return }
    for (const a of Array.isArray(addrs) ? addrs : []) {
      const ma = multiaddr(String(a))
      const id = ma.getComponents().filter(c => c.name === 'p2p').pop()?.value
      if (id === undefined || id === node.peerId.toString()) { continue }
      if (node.getConnections().some(c => c.remotePeer.toString() === id && transportOf(c) === 'WebRTC')) { return }
      // a WebRTC dial that stalls is given up after 15 s and tried once more
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          await node.dial(ma, { signal: AbortSignal.timeout(15_000) })
          return
        } catch (err: any) {
          $('status').textContent = `could not reach ${id.slice(-8)} (attempt ${attempt}): ${String(err?.message ?? err)}`
        }
      }
    }
  }

  /** Says where this tab can be reached over WebRTC, once the relay slot and a listener exist. */
  let announced = false
  const announce = (): void => {
    const mine = node.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit/webrtc/'))
    if (announced || mine.length === 0 || ps.getSubscribers(peersTopic).length === 0) { return }
    announced = true
    ps.publish(peersTopic, new TextEncoder().encode(JSON.stringify(mine))).catch(() => { announced = false })
  }
  node.addEventListener('self:peer:update', announce)
  ps.addEventListener('subscription-change', announce)

  const showPeers = (): void => {
    const items = node.getConnections().map(c => `${short(c.remotePeer)} — ${transportOf(c)}${c.limits === undefined ? '' : ' (limited)'}`)
    $('peers').replaceChildren(...items.map(t => Object.assign(document.createElement('li'), { textContent: t })))
  }
  node.addEventListener('connection:open', showPeers)
  node.addEventListener('connection:close', showPeers)

  ps.subscribe(topic)
  ps.subscribe(peersTopic)
  await node.dial(multiaddr(bootstrap))
  showPeers()
  $('status').textContent = 'connected to the bootstrap node'
  const input = $('text') as HTMLInputElement
  input.disabled = false
  ;($('button') as HTMLButtonElement).disabled = false
  $('send').addEventListener('submit', ev => {
    ev.preventDefault()
    const text = input.value.trim()
    input.value = ''
    if (text !== '') { send(text).catch(err => { $('status').textContent = `not sent: ${String(err?.message ?? err)}` }) }
  })
}

start().catch(err => { $('status').textContent = `failed: ${String(err?.message ?? err)}` })
