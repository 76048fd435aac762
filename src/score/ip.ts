// IP addresses and CIDR ranges for P6 colocation: a small pure parser (no node:net), prefix
// matching for the whitelist, and the grouping key (IPv4 per address, IPv6 per /64).

/** A parsed address: 4 bytes (IPv4, including IPv4-mapped IPv6) or 16 bytes (IPv6). */
export type IpBytes = Uint8Array

export interface Cidr {
  bytes: IpBytes
  /** prefix length in bits */
  prefix: number
}

function parseV4 (s: string): IpBytes | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) { return undefined }
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i]
    // decimal only, no leading zeros (which some parsers read as octal)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) { return undefined }
    const v = Number(p)
    if (v > 255) { return undefined }
    out[i] = v
  }
  return out
}

function parseGroups (s: string, out: number[]): boolean {
  if (s === '') { return true }
  for (const g of s.split(':')) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) { return false }
    out.push(parseInt(g, 16))
  }
  return true
}

function parseV6 (s: string): IpBytes | undefined {
  const zone = s.indexOf('%')
  if (zone >= 0) { s = s.slice(0, zone) }
  let tail: IpBytes | undefined
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.', lastColon)) {
    // dotted IPv4 in the last 32 bits (e.g. ::ffff:1.2.3.4)
    tail = parseV4(s.slice(lastColon + 1))
    if (tail == null) { return undefined }
    s = s.slice(0, lastColon + 1) + '0:0'
  }
  const halves = s.split('::')
  if (halves.length > 2) { return undefined }
  const head: number[] = []
  const rest: number[] = []
  if (!parseGroups(halves[0], head)) { return undefined }
  if (halves.length === 2 && !parseGroups(halves[1], rest)) { return undefined }
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) { return undefined }
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest]
  const out = new Uint8Array(16)
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i] >> 8
    out[2 * i + 1] = groups[i] & 0xff
  }
  if (tail != null) { out.set(tail, 12) }
  return out
}

function isV4Mapped (b: IpBytes): boolean {
  for (let i = 0; i < 10; i++) { if (b[i] !== 0) { return false } }
  return b[10] === 0xff && b[11] === 0xff
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 comes back as 4 bytes. */
export function parseIp (s: string): IpBytes | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > 64) { return undefined }
  if (!s.includes(':')) { return parseV4(s) }
  const b = parseV6(s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s)
  return b != null && isV4Mapped(b) ? b.slice(12) : b
}

/** Parses `addr/prefix` or a bare address (a full-length prefix). */
export function parseCidr (s: string): Cidr | undefined {
  const slash = s.indexOf('/')
  const bytes = parseIp(slash >= 0 ? s.slice(0, slash) : s)
  if (bytes == null) { return undefined }
  const max = bytes.length * 8
  if (slash < 0) { return { bytes, prefix: max } }
  const p = s.slice(slash + 1)
  if (!/^[0-9]{1,3}$/.test(p)) { return undefined }
  let prefix = Number(p)
  // an IPv4-mapped range written in IPv6 form: drop the 96-bit mapping prefix
  if (bytes.length === 4 && s.includes(':')) { prefix -= 96 }
  if (prefix < 0 || prefix > max) { return undefined }
  return { bytes, prefix }
}

/** True when ip lies in the range (same family only). */
export function cidrContains (range: Cidr, ip: IpBytes): boolean {
  if (range.bytes.length !== ip.length) { return false }
  const full = range.prefix >> 3
  for (let i = 0; i < full; i++) { if (range.bytes[i] !== ip[i]) { return false } }
  const bits = range.prefix & 7
  if (bits === 0) { return true }
  const mask = (0xff << (8 - bits)) & 0xff
  return (range.bytes[full] & mask) === (ip[full] & mask)
}

function isLoopbackOrUnspecified (b: IpBytes): boolean {
  if (b.length === 4) { return b[0] === 127 || (b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === 0) }
  for (let i = 0; i < 15; i++) { if (b[i] !== 0) { return false } }
  return b[15] <= 1
}

/**
 * The colocation group of an address: the IPv4 address itself, or the IPv6 /64 (one site usually
 * holds a whole /64, so counting per address would let one host pose as 2^64 peers). Loopback and
 * unspecified addresses have no group (go ignores them too), nor do unparsable ones.
 */
export function colocationKey (ip: IpBytes): string | undefined {
  if (isLoopbackOrUnspecified(ip)) { return undefined }
  if (ip.length === 4) { return ip.join('.') }
  const g: string[] = []
  for (let i = 0; i < 8; i += 2) { g.push(((ip[i] << 8) | ip[i + 1]).toString(16)) }
  return `${g.join(':')}::/64`
}
