// Command-line argument parsing for the demo and the `meshsub` command: node:util parseArgs plus
// typed value checks. Owns UsageError, the one error that means "bad arguments, exit code 2".

import { parseArgs } from 'node:util'

/** Bad command-line arguments: the message is printed and the process exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean', multiple?: boolean, short?: string }>

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  positionals: string[]
}

/** Parses argv strictly: unknown options, missing values and stray positionals are UsageErrors. */
export function parse (argv: string[], options: OptionSpec, allowPositionals = false): Parsed {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals }) as Parsed
  } catch (err) {
    // parseArgs' messages name the option; drop its hint about `--` which means nothing to users
    const msg = err instanceof Error ? err.message.replace(/\. To specify a positional.*$/s, '') : String(err)
    throw new UsageError(msg)
  }
}

/** A number option: integer unless `fraction`, within [min, max]; undefined if not given. */
export function numberOpt (values: Parsed['values'], name: string, min: number, max: number, fraction = false): number | undefined {
  const raw = values[name]
  if (raw === undefined) { return undefined }
  const s = String(raw).trim()
  const n = Number(s)
  const ok = s !== '' && Number.isFinite(n) && (fraction || Number.isInteger(n))
  if (!ok) { throw new UsageError(`--${name} must be ${fraction ? 'a number' : 'an integer'}, got "${String(raw)}"`) }
  if (n < min || n > max) { throw new UsageError(`--${name}=${n} must be between ${min} and ${max}`) }
  return n
}

/** A string option restricted to `choices`. */
export function choiceOpt<T extends string> (values: Parsed['values'], name: string, choices: readonly T[]): T | undefined {
  const raw = values[name]
  if (raw === undefined) { return undefined }
  if (!choices.includes(raw as T)) { throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${String(raw)}"`) }
  return raw as T
}

/** A string option (repeatable options give their last value). */
export function stringOpt (values: Parsed['values'], name: string): string | undefined {
  const raw = values[name]
  if (raw === undefined) { return undefined }
  const s = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw)
  if (s === '') { throw new UsageError(`--${name} needs a non-empty value`) }
  return s
}

/** A repeatable string option; values may also be given comma-separated. */
export function listOpt (values: Parsed['values'], name: string): string[] {
  const raw = values[name]
  if (raw === undefined) { return [] }
  const all = (Array.isArray(raw) ? raw : [raw]).flatMap(v => String(v).split(',')).map(s => s.trim())
  if (all.some(s => s === '')) { throw new UsageError(`--${name} needs non-empty values`) }
  return all
}
