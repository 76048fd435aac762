// Errors the public API throws. Messages keep `@libp2p/gossipsub`'s strings ('PublishError.Duplicate',
// 'PublishError.NoPeersSubscribedToTopic') so code matching on them keeps working.

export type PublishErrorCode = 'Duplicate' | 'NoPeersSubscribedToTopic'

/** publish() failed: the message was seen before, or no peer is subscribed to the topic. */
export class PublishError extends Error {
  override readonly name = 'PublishError'
  readonly code: PublishErrorCode

  constructor (code: PublishErrorCode) {
    super(`PublishError.${code}`)
    this.code = code
  }
}
