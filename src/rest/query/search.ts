import { and, or, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { queryError, quote } from './errors'
import { parseInstant, type Instant } from './instant'
import { containsPattern, likeIgnoringCase, likePattern } from './match'
import { badBound, boundConditions, emptyRange, parseRangeSyntax } from './range'
import type { AttributeSpec } from './types'

/**
 * Compiles `attr=value` for one searchable attribute (stormpath-api reference §8).
 *
 * @example
 * attributeFilter('email', '*@example.com', { column: accounts.email, kind: 'text' })
 * // lower("accounts"."email") like lower('%@example.com') escape '\'
 */
export function attributeFilter(parameter: string, value: string, attribute: AttributeSpec): SQL {
  const { column, kind } = attribute
  switch (kind) {
    case 'text':
    case 'folded':
      // An exact value compares with `=`, so an index on the column (`folded`: stored
      // lower-case) or on `lower(column)` answers it; wildcards need LIKE.
      if (!value.startsWith('*') && !value.endsWith('*')) {
        return kind === 'folded'
          ? sql`${column} = lower(${value})`
          : sql`lower(${column}) = lower(${value})`
      }
      return likeIgnoringCase(column, likePattern(value))
    case 'status':
      rejectWildcard(parameter, value)
      return sql`upper(${column}) = upper(${value})`
    case 'id':
      rejectWildcard(parameter, value)
      return sql`${column} = ${value}`
    case 'date':
      return dateFilter(parameter, value, column)
  }
}

/**
 * Compiles `q=text`: case-insensitive "contains", OR-ed over the text attributes. An empty `q`
 * filters nothing.
 */
export function textSearch(text: string, columns: SQLiteColumn[]): SQL | undefined {
  if (text === '') return undefined
  const pattern = containsPattern(text)
  return or(...columns.map((column) => likeIgnoringCase(column, pattern)))
}

/**
 * Date attributes are `integer(…, { mode: 'timestamp_ms' })`, so bounds are compared as
 * milliseconds. The numbers are bound as plain parameters: drizzle's `gte(column, value)` would
 * run them through the column's Date encoder.
 */
function dateFilter(parameter: string, value: string, column: SQLiteColumn): SQL {
  const trimmed = value.trim()
  const syntax = parseRangeSyntax(trimmed, parameter)
  if (syntax === undefined || syntax.kind === 'unit') {
    // Shorthand: a value without brackets means the whole unit (`2015-01` = that month).
    const instant = instantOf(parameter, syntax?.text ?? trimmed)
    return sql`(${column} >= ${instant.start} and ${column} < ${instant.end})`
  }
  const lower = syntax.lower && {
    value: instantOf(parameter, syntax.lower.text).start,
    inclusive: syntax.lower.inclusive,
  }
  const upper = syntax.upper && {
    value: instantOf(parameter, syntax.upper.text).start,
    inclusive: syntax.upper.inclusive,
  }
  if (lower && upper && upper.value <= lower.value) throw emptyRange(parameter, value)
  return and(...boundConditions(column, lower, upper))!
}

function instantOf(parameter: string, text: string): Instant {
  const instant = parseInstant(text)
  if (instant) return instant
  throw badBound(parameter, text, 'an ISO-8601 date such as 2015-01-12T10:30:00Z')
}

/** `status` and `id` are exact values; a wildcard would silently match nothing. */
function rejectWildcard(parameter: string, value: string): void {
  if (!value.includes('*')) return
  throw queryError(
    'query_invalid_value',
    parameter,
    `The ${parameter} parameter must be an exact value, without wildcards.`,
    `${parameter}=${quote(value)}: ${parameter} does not support * wildcards.`,
  )
}
