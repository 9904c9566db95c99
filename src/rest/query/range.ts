import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import type { EdgepassError } from '../../errors'
import { queryError, quote } from './errors'

/** One side of a range: its text as written and whether it is included. */
export interface Bound {
  text: string
  inclusive: boolean
}

/**
 * The bracket syntax of stormpath-api reference §8: `[a, b)`, `(a,b]`, open sides `[,b]` /
 * `[a,]`, or `[unit]` for the whole of one unit.
 */
export type RangeSyntax =
  | { kind: 'range'; lower: Bound | undefined; upper: Bound | undefined }
  | { kind: 'unit'; text: string }

const BRACKETED = /^[[(][^]*[\])]$/

/**
 * Splits a bracketed value into its bounds, without interpreting them; undefined when the value
 * is not bracketed at all. A bracketed value that is not a well-formed range (no bound, more
 * than one comma, `(unit)`) → 2103.
 *
 * @example
 * parseRangeSyntax('[2015-01-12, 2015-01-14)', 'createdAt')
 * // { kind: 'range', lower: { text: '2015-01-12', inclusive: true },
 * //   upper: { text: '2015-01-14', inclusive: false } }
 */
export function parseRangeSyntax(value: string, parameter: string): RangeSyntax | undefined {
  if (!BRACKETED.test(value)) return undefined
  const open = value[0]
  const close = value[value.length - 1]
  const parts = value.slice(1, -1).split(',')
  if (parts.length === 1) {
    const text = parts[0]!.trim()
    if (open === '[' && close === ']' && text !== '') return { kind: 'unit', text }
    throw badRange(parameter, value)
  }
  if (parts.length !== 2) throw badRange(parameter, value)
  const [lower, upper] = parts.map((part) => part.trim())
  if (!lower && !upper) throw badRange(parameter, value)
  return {
    kind: 'range',
    lower: lower ? { text: lower, inclusive: open === '[' } : undefined,
    upper: upper ? { text: upper, inclusive: close === ']' } : undefined,
  }
}

/** A bound once read as the attribute's type. */
export interface BoundValue {
  value: number | string
  inclusive: boolean
}

/**
 * `expression >= lower`, `> lower`, `<= upper`, `< upper` as the brackets say. Values are bound
 * as plain parameters, never through a column's encoder.
 */
export function boundConditions(
  expression: SQLWrapper,
  lower: BoundValue | undefined,
  upper: BoundValue | undefined,
): SQL[] {
  const conditions: SQL[] = []
  if (lower) {
    conditions.push(
      lower.inclusive ? sql`${expression} >= ${lower.value}` : sql`${expression} > ${lower.value}`,
    )
  }
  if (upper) {
    conditions.push(
      upper.inclusive ? sql`${expression} <= ${upper.value}` : sql`${expression} < ${upper.value}`,
    )
  }
  return conditions
}

/** 2103 for a bound that is not of the attribute's type. */
export function badBound(parameter: string, bound: string, expected: string): EdgepassError {
  return queryError(
    'query_invalid_value',
    parameter,
    `The ${parameter} parameter has an invalid range bound; expected ${expected}.`,
    `${parameter}: ${quote(bound)} is not ${expected}.`,
  )
}

/** 2108: "the end of a range must be after its start". */
export function emptyRange(parameter: string, value: string): EdgepassError {
  return queryError(
    'query_range',
    parameter,
    `The ${parameter} range must end after it starts.`,
    `${parameter}=${quote(value)}: the end of the range is not after its start.`,
  )
}

function badRange(parameter: string, value: string): EdgepassError {
  return queryError(
    'query_invalid_value',
    parameter,
    `The ${parameter} parameter is not a valid range: use [start, end), with either bound optional.`,
    `${parameter}=${quote(value)} is not a range like [a, b), (a,b], [,b] or [a,].`,
  )
}
