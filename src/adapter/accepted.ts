// Messages the core is about to deliver, marked with their public form between the input that
// accepts them and the end of that input's drain (when the core's 'deliver' output comes).

import type { Message } from './message.ts'
import type { RouterMessage } from '../core/types.ts'

/** Marks a delivery whose events were already dispatched (asyncValidation). */
export const DISPATCHED = Symbol('dispatched')

/** The public form of an accepted message, or DISPATCHED when the app has seen it already. */
export type AcceptedForm = Message | typeof DISPATCHED

type Marked = RouterMessage & { accepted?: AcceptedForm }

/**
 * The marks live on the message objects, not in a Map: this is emptied after every input, and a
 * Map's clear() and its delete() of the last entry both allocate a new table in V8.
 * Bound: the messages accepted during one drain; emptied by `clear`.
 */
export class AcceptedMessages {
  private readonly marked: Marked[] = []

  mark (msg: RouterMessage, form: AcceptedForm): void {
    const m = msg as Marked
    if (m.accepted === undefined) { this.marked.push(m) }
    m.accepted = form
  }

  /** The form `msg` was marked with in the current drain, if any. */
  formOf (msg: RouterMessage): AcceptedForm | undefined {
    return (msg as Marked).accepted
  }

  /** Unmarks everything (after a drain: every delivery the inputs caused has been handled). */
  clear (): void {
    for (const m of this.marked) { m.accepted = undefined }
    this.marked.length = 0
  }
}
