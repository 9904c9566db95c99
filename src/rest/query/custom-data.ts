import { and, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { parseInstant } from './instant'
import { likeIgnoringCase, likePattern } from './match'
import {
  badBound,
  boundConditions,
  emptyRange,
  parseRangeSyntax,
  type Bound,
  type BoundValue,
} from './range'

const PREFIX = 'customData.'
/** Custom data names (stormpath-api reference §7, code 3002); anything else cannot be a key. */
const SEGMENT = /^[0-9A-Za-z_-]{1,255}$/
const MAX_DEPTH = 10
const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * The SQLite JSON path for `customData.a.b` (`'$."a"."b"'`), or undefined when `name` is not a
 * custom data path.
 *
 * JSON path injection: the path is written into the statement as a literal, not bound, so that
 * each filter costs D1 no extra parameter (it allows 100 per statement). That is safe only
 * because every segment is first checked against the custom data name alphabet
 * `[0-9A-Za-z_-]`: no quote, `$`, `[`, `*` or `.` can reach the path, and each key is quoted
 * so that `0` names a key, never an array index.
 *
 * @example
 * customDataPath('customData.address.city') // sql.raw(`'$."address"."city"'`)
 * customDataPath("customData.x') or 1=1 --") // undefined
 */
export function customDataPath(name: string): SQL | undefined {
  if (!name.startsWith(PREFIX) || name.length > PREFIX.length + MAX_DEPTH * 256) return undefined
  const segments = name.slice(PREFIX.length).split('.')
  if (segments.length > MAX_DEPTH || !segments.every((segment) => SEGMENT.test(segment))) {
    return undefined
  }
  return sql.raw(`'$.${segments.map((segment) => `"${segment}"`).join('.')}'`)
}

/** The value at `path`, as SQLite reads it (numbers as numbers, strings as text). */
export function customDataValue(column: SQLiteColumn, path: SQL): SQL {
  return sql`json_extract(${column}, ${path})`
}

/**
 * Compiles `customData.path=value` (stormpath-api reference §8): the text wildcards,
 * case-insensitive; or, in bracket syntax, a number range (`(0,1000]`, `[50,]`) or a date range
 * compared as ISO strings (`[2015-01-01, 2016-01-01)`, `[2015]` = the year). There is no date
 * shorthand: `customData.startDate=2015` matches the value 2015 exactly.
 *
 * JSON `true`/`false` are matched by those words (json_extract would read them as 1 and 0).
 */
export function customDataFilter(
  parameter: string,
  value: string,
  column: SQLiteColumn,
  path: SQL,
): SQL {
  const syntax = parseRangeSyntax(value.trim(), parameter)
  if (syntax === undefined) {
    const text = sql`case json_type(${column}, ${path}) when 'true' then 'true' when 'false' then 'false' else json_extract(${column}, ${path}) end`
    return likeIgnoringCase(text, likePattern(value))
  }
  if (syntax.kind === 'unit') {
    const instant = parseInstant(syntax.text)
    if (!instant) throw badBound(parameter, syntax.text, 'an ISO-8601 date such as 2015-01')
    const lower = { value: syntax.text, inclusive: true }
    const upper =
      instant.endText === undefined ? undefined : { value: instant.endText, inclusive: false }
    return typedRange(column, path, 'text', lower, upper)
  }
  const { lower, upper } = syntax
  const bounds = [lower, upper].filter((bound): bound is Bound => bound !== undefined)
  if (bounds.every((bound) => NUMBER.test(bound.text) && Number.isFinite(Number(bound.text)))) {
    const number = (bound: Bound | undefined) =>
      bound && { value: Number(bound.text), inclusive: bound.inclusive }
    if (lower && upper && Number(upper.text) <= Number(lower.text)) {
      throw emptyRange(parameter, value)
    }
    return typedRange(column, path, 'number', number(lower), number(upper))
  }
  const starts = bounds.map((bound) => {
    const instant = parseInstant(bound.text)
    if (instant) return instant.start
    throw badBound(parameter, bound.text, 'numbers or ISO-8601 dates (both of the same kind)')
  })
  if (starts.length === 2 && starts[1]! <= starts[0]!) throw emptyRange(parameter, value)
  // ISO-8601 strings of one shape sort as their instants do, and a shorter bound sorts before
  // every longer value it prefixes: it stands for the first instant of its unit.
  const text = (bound: Bound | undefined) =>
    bound && { value: bound.text, inclusive: bound.inclusive }
  return typedRange(column, path, 'text', text(lower), text(upper))
}

/**
 * A range over values of one JSON type only: SQLite orders every text after every number, so
 * without the type check the string "500" would fall inside `[50,]`.
 */
function typedRange(
  column: SQLiteColumn,
  path: SQL,
  type: 'number' | 'text',
  lower: BoundValue | undefined,
  upper: BoundValue | undefined,
): SQL {
  const typeCheck =
    type === 'number'
      ? sql`json_type(${column}, ${path}) in ('integer', 'real')`
      : sql`json_type(${column}, ${path}) = 'text'`
  return and(typeCheck, ...boundConditions(customDataValue(column, path), lower, upper))!
}
