import { asc, desc, type SQL } from 'drizzle-orm'
import { customDataPath, customDataValue } from './custom-data'
import { queryError, quote } from './errors'
import type { ResourceQuerySpec } from './types'

/** More terms than any collection has sortable attributes; bounds the work a hostile list makes. */
const MAX_ORDER_TERMS = 10

/**
 * Parses `orderBy=surname,givenName desc` (stormpath-api reference §8): comma-separated terms,
 * each an attribute and an optional `asc` (default) or `desc`, case-insensitive. A malformed
 * term → 2104; an attribute that is not sortable → 2106. The resource's default order follows
 * as a tie-breaker, so that paging is stable.
 *
 * @example
 * parseOrderBy('surname,givenName DESC', spec)
 * // [asc(accounts.surname), desc(accounts.givenName), ...spec.defaultOrder]
 */
export function parseOrderBy(value: string | null, spec: ResourceQuerySpec): SQL[] {
  if (value === null) return [...spec.defaultOrder]
  const terms = value.split(',')
  if (terms.length > MAX_ORDER_TERMS) {
    throw badOrderBy(value, `at most ${MAX_ORDER_TERMS} attributes may be given`)
  }
  const seen = new Set<string>()
  const order = terms.map((term) => {
    const words = term.trim().split(/\s+/)
    const [name = '', direction = 'asc', ...rest] = words
    if (name === '') throw badOrderBy(value, 'an attribute name is missing')
    if (rest.length > 0 || !/^(asc|desc)$/i.test(direction)) {
      throw badOrderBy(
        value,
        `${quote(term.trim())} is not "attribute", "attribute asc" or "attribute desc"`,
      )
    }
    if (seen.has(name)) throw badOrderBy(value, `${quote(name)} is given twice`)
    seen.add(name)
    const expression = sortExpression(name, spec)
    return direction.toLowerCase() === 'desc' ? desc(expression) : asc(expression)
  })
  return [...order, ...spec.defaultOrder]
}

function sortExpression(name: string, spec: ResourceQuerySpec) {
  // hasOwn: `constructor` or `__proto__` must not resolve to Object.prototype members.
  if (Object.hasOwn(spec.sortable, name)) return spec.sortable[name]!
  const path = spec.customData && customDataPath(name)
  if (spec.customData && path) return customDataValue(spec.customData, path)
  throw queryError(
    'query_order_by_attribute',
    'orderBy',
    `The orderBy parameter names ${quote(name)}, which cannot be sorted on.`,
    `orderBy: ${quote(name)} is not a sortable attribute of this collection.`,
  )
}

function badOrderBy(value: string, reason: string) {
  return queryError(
    'query_bad_order_by',
    'orderBy',
    `The orderBy parameter is malformed: ${reason}.`,
    `orderBy=${quote(value)}: ${reason}; expected e.g. "surname,givenName desc".`,
  )
}
