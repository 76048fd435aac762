// CodecError: the one error kind the codec throws, for malformed frames and exceeded hard caps.
// Stateless; each error names the check that failed and the offending value.

export type CodecErrorCode = 'ERR_MALFORMED' | 'ERR_LIMIT'

/**
 * Thrown by the decoder, the frame reader and the splitter. `code` is 'ERR_LIMIT' when a named
 * limit was exceeded (`limit` is the DecodeLimits key, 'maxTransmitSize' or 'maxSize') and
 * 'ERR_MALFORMED' when the bytes are not a valid encoding (`limit` names the structural check:
 * 'varint', 'truncated', 'length', 'wireType', 'fieldNumber', 'group').
 */
export class CodecError extends Error {
  override readonly name = 'CodecError'
  readonly code: CodecErrorCode
  readonly limit: string
  readonly value: number

  constructor (code: CodecErrorCode, limit: string, value: number, message: string) {
    super(message)
    this.code = code
    this.limit = limit
    this.value = value
  }
}

export function malformed (check: string, value: number, what: string): CodecError {
  return new CodecError('ERR_MALFORMED', check, value, `malformed frame: ${what} (${check}=${value})`)
}

export function overLimit (limit: string, value: number, max: number): CodecError {
  return new CodecError('ERR_LIMIT', limit, value, `frame rejected: ${value} exceeds ${limit}=${max}`)
}
