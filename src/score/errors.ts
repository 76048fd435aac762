// Errors of the score module: invalid score parameters or thresholds. Each names the offending
// parameter and value; class names follow @libp2p/gossipsub so callers can switch without changes.

/** Base class: a score parameter or threshold has a value the router cannot work with. */
export class ScoreParamsError extends Error {
  /** the parameter's path, e.g. `topics["blocks"].meshMessageDeliveriesDecay` */
  readonly param: string
  readonly value: unknown

  constructor (param: string, value: unknown, rule: string) {
    super(`${param}=${formatValue(value)} ${rule}`)
    this.name = 'ScoreParamsError'
    this.param = param
    this.value = value
  }
}

/** Peer or topic score parameters are invalid. */
export class InvalidPeerScoreParamsError extends ScoreParamsError {
  constructor (param: string, value: unknown, rule: string) {
    super(param, value, rule)
    this.name = 'InvalidPeerScoreParamsError'
  }
}

/** Score thresholds are invalid. */
export class InvalidPeerScoreThresholdsError extends ScoreParamsError {
  constructor (param: string, value: unknown, rule: string) {
    super(param, value, rule)
    this.name = 'InvalidPeerScoreThresholdsError'
  }
}

function formatValue (value: unknown): string {
  if (typeof value === 'string') { return JSON.stringify(value) }
  if (typeof value === 'function') { return 'function' }
  return String(value)
}
