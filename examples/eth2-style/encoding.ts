// Message ids and the data transform of the eth2-style app: content-addressed ids (sha256 of a
// domain, the topic and the decoded data, cut to 20 bytes), a cheap fast id, hex id strings.

import { createHash } from 'node:crypto'

/** largest decoded message accepted, bytes (a consensus client uses its gossip max size) */
export const GOSSIP_MAX_SIZE = 1 << 20

/** the domain prefixed to decodable data before hashing (as eth2's MESSAGE_DOMAIN_VALID_SNAPPY) */
const DOMAIN_VALID = Uint8Array.from([1, 0, 0, 0])
/** ...and to data that does not decode, so an undecodable message still has an id */
const DOMAIN_INVALID = Uint8Array.from([0, 0, 0, 0])

/**
 * The wire form of data: a 4-byte big-endian length, then the bytes. It stands in for snappy
 * framing (a real client compresses here) and keeps the example free of a compression package.
 */
export const dataTransform = {
  outboundTransform (_topic: string, data: Uint8Array): Uint8Array {
    if (data.length > GOSSIP_MAX_SIZE) { throw new Error(`message of ${data.length} bytes is over ${GOSSIP_MAX_SIZE}`) }
    const out = new Uint8Array(4 + data.length)
    new DataView(out.buffer).setUint32(0, data.length)
    out.set(data, 4)
    return out
  },
  inboundTransform (_topic: string, data: Uint8Array): Uint8Array {
    if (data.length < 4) { throw new Error('frame too short') }
    const len = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0)
    if (len > GOSSIP_MAX_SIZE || len !== data.length - 4) { throw new Error('bad frame length') }
    return data.subarray(4)
  }
}

/** The spec'd id: sha256(domain ‖ topic length (8 bytes LE) ‖ topic ‖ decoded data)[0:20]. */
export function msgIdFn (msg: { topic: string, data: Uint8Array }): Uint8Array {
  let body: Uint8Array
  let domain = DOMAIN_VALID
  try {
    body = dataTransform.inboundTransform(msg.topic, msg.data)
  } catch {
    body = msg.data
    domain = DOMAIN_INVALID
  }
  const topic = new TextEncoder().encode(msg.topic)
  const len = new Uint8Array(8)
  new DataView(len.buffer).setBigUint64(0, BigInt(topic.length), true)
  return new Uint8Array(createHash('sha256').update(domain).update(len).update(topic).update(body).digest().subarray(0, 20))
}

/**
 * A cheap local id for early de-duplication: FNV-1a (32 bits) of the raw data, its length and the
 * topic (the same bytes may be published on two topics, and must not be taken for a repeat).
 */
export function fastMsgIdFn (msg: { topic: string, data?: Uint8Array }): string {
  const data = msg.data ?? new Uint8Array(0)
  let h = 0x811c9dc5
  for (let i = 0; i < data.length; i++) { h = Math.imul(h ^ data[i], 0x01000193) >>> 0 }
  return `${h.toString(16)}:${data.length}:${msg.topic}`
}

/** Ids as lowercase hex, the form the app logs and reports validation results with. */
export function msgIdToStrFn (id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('hex')
}
