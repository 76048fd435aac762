// Named errors of meshsub. Each carries a stable `name` so callers can tell them apart without
// instanceof across package copies.

/** An option (or a combination of options) is invalid; the message names the option and values. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError'
  /** the option the error is about (the first one named when several are involved) */
  readonly option: string

  constructor (option: string, message: string) {
    super(message)
    this.option = option
  }
}
