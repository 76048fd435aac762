// Inbound message screening: the cheap checks a frame's messages pass before their ids are
// computed (a hash under StrictNoSign). One pass; the common case allocates nothing.

import type { WireMessage } from '../types.ts'

export interface ScreenCounters {
  /** messages of topics we neither subscribe to nor relay (the router would drop them) */
  unsubscribedTopic: number
  /** StrictSign messages with an impossible `from` or seqno (invalid before their id exists) */
  malformed: number
}

export interface Screen {
  /** when set, only these topics are handled at all (the `allowedTopics` option) */
  allowed: Set<string> | undefined
  isSubscribed(topic: string): boolean
  malformed(m: WireMessage): boolean
  counters: ScreenCounters
  onMalformed?(topic: string): void
}

/** The messages worth an id, in order; `messages` itself when every one passes. */
export function screenMessages<M extends WireMessage> (messages: M[], screen: Screen): M[] {
  let kept: M[] | undefined
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]
    const ok = verdict(m, screen)
    if (ok && kept !== undefined) { kept.push(m) } else if (!ok && kept === undefined) { kept = messages.slice(0, i) }
  }
  return kept ?? messages
}

function verdict (m: WireMessage, screen: Screen): boolean {
  if (screen.allowed !== undefined && !screen.allowed.has(m.topic)) { return false }
  if (!screen.isSubscribed(m.topic)) {
    screen.counters.unsubscribedTopic++
    return false
  }
  if (screen.malformed(m)) {
    screen.counters.malformed++
    screen.onMalformed?.(m.topic)
    return false
  }
  return true
}
