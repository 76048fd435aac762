// Errors the public API throws. Messages keep `@libp2p/gossipsub`'s strings ('PublishError.Duplicate',
// 'PublishError.NoPeersSubscribedToTopic') so code matching on them keeps working.

export type PublishErrorCode = 'Duplicate' | 'NoPeersSubscribedToTopic' | 'MessageTooLarge' | 'SendQueueFull'

/**
 * publish() failed: the message was seen before, no peer is subscribed, it exceeds the topic's
 * maxMessageSize or the frame limit (maxTransmitSize), or every recipient's send queue stayed full
 * for publishQueueTtl (SendQueueFull: nothing was sent; publish again later).
 */
export class PublishError extends Error {
  override readonly name = 'PublishError'
  readonly code: PublishErrorCode

  constructor (code: PublishErrorCode) {
    super(`PublishError.${code}`)
    this.code = code
  }
}
