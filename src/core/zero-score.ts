// The score provider used when scoring is off: every peer scores 0 and events are ignored, so
// every threshold check passes for everyone (docs/protocol.md §6 effects never trigger).

import type { ScoreProvider } from './types.ts'

export class ZeroScore implements ScoreProvider {
  score (): number { return 0 }
  addPeer (): void {}
  removePeer (): void {}
  graft (): void {}
  prune (): void {}
  validateMessage (): void {}
  deliverMessage (): void {}
  rejectMessage (): void {}
  ignoreMessage (): void {}
  duplicateMessage (): void {}
  addPenalty (): void {}
  nextDeadline (): number { return Infinity }
  handleTimeout (): void {}
}
