// The send-time stamp carried at the front of a payload so receivers can measure latency: a 4-byte
// magic then the sender's wall clock as a float64 (ms since the epoch, sub-millisecond precision).

/** 0x00 'M' 'S' 0x01: a NUL first byte keeps stamps apart from text payloads. */
const MAGIC = [0x00, 0x4d, 0x53, 0x01]
export const STAMP_BYTES = 12

/** Wall-clock ms with sub-millisecond precision, comparable between processes on one machine. */
export function wallClock (): number {
  return performance.timeOrigin + performance.now()
}

/** `body` with a stamp of `sentAt` (default: now) in front. */
export function stamp (body: Uint8Array, sentAt = wallClock()): Uint8Array {
  const out = new Uint8Array(STAMP_BYTES + body.length)
  out.set(MAGIC, 0)
  new DataView(out.buffer).setFloat64(4, sentAt)
  out.set(body, STAMP_BYTES)
  return out
}

/** The stamp's send time and the body after it, or undefined if `data` is not stamped. */
export function unstamp (data: Uint8Array): { sentAt: number, body: Uint8Array } | undefined {
  if (data.length < STAMP_BYTES || MAGIC.some((b, i) => data[i] !== b)) { return undefined }
  const sentAt = new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(4)
  if (!Number.isFinite(sentAt)) { return undefined }
  return { sentAt, body: data.subarray(STAMP_BYTES) }
}
