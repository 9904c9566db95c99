/**
 * Collection query strings (stormpath-api reference §8): paging, `q`, attribute and custom data
 * filters, `orderBy` and `expand`, parsed and compiled to drizzle SQL. Bad input of any size
 * or shape becomes a Stormpath 2100–2108 error, never an unexpected exception.
 */
import { and, type SQL } from 'drizzle-orm'
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core'
import { EdgepassError } from '../../errors'
import { customDataFilter, customDataPath } from './custom-data'
import { queryError, quote } from './errors'
import { parseExpand } from './expand'
import { parseOrderBy } from './order'
import { parsePaging } from './paging'
import { attributeFilter, textSearch } from './search'
import type { CollectionQuery, ResourceQuerySpec } from './types'

export type {
  AttributeKind,
  AttributeSpec,
  CollectionQuery,
  ExpandRequest,
  ResourceQuerySpec,
} from './types'
export { DEFAULT_LIMIT, MAX_LIMIT } from './paging'
export { parseExpand } from './expand'

/** More filter parameters than this → 2100. Collections have about ten searchable attributes. */
export const MAX_FILTER_PARAMETERS = 50

/**
 * The most values a compiled `where` may bind. D1 refuses statements with more than 100 bound
 * parameters; this leaves 20 for the caller's scope (tenant, owner), `limit` and `offset`.
 */
export const MAX_FILTER_BINDINGS = 80

/** Longest filter value: an application description is up to 4000 characters (reference §7). */
export const MAX_VALUE_LENGTH = 4096

/** Parameters this module reads itself; each may be given once. */
const CONTROL_PARAMETERS = new Set(['offset', 'limit', 'orderBy', 'q', 'expand'])

/** Parameters of other concerns that every collection accepts and the filters ignore. */
const PASSED_THROUGH = new Set([
  'nocache',
  '_method',
  'encryptSecret',
  'encryptionKeySize',
  'encryptionKeyIterations',
  'encryptionKeySalt',
  'registrationWorkflowEnabled',
  'passwordFormat',
  'createDirectory',
])

const dialect = new SQLiteSyncDialect()

/**
 * Parses a collection request's query string against what the collection allows. Filters AND
 * together; a parameter that is neither a control parameter, a passed-through one nor a
 * searchable attribute → 2105, because ignoring it would silently return the unfiltered
 * collection.
 *
 * @throws {EdgepassError} `query_*` codes (2100–2108), naming the parameter at fault.
 * @example
 * const q = parseCollectionQuery(new URL(c.req.url).searchParams, accountQuery)
 * const items = await db.select().from(accounts)
 *   .where(and(eq(accounts.directoryId, id), q.where))
 *   .orderBy(...q.orderBy).limit(q.limit).offset(q.offset)
 */
export function parseCollectionQuery(
  query: URLSearchParams,
  spec: ResourceQuerySpec,
): CollectionQuery {
  const { control, filters } = singleValues(query)
  const { offset, limit } = parsePaging(control.get('offset') ?? null, control.get('limit') ?? null)
  const textColumns = Object.values(spec.searchable)
    .filter((attribute) => attribute.kind === 'text' || attribute.kind === 'folded')
    .map((attribute) => attribute.column)
  const q = control.get('q')
  if (q !== undefined && textColumns.length === 0) throw unsupported('q')
  if (q !== undefined) checkValue('q', q)
  const where = and(
    q === undefined ? undefined : textSearch(q, textColumns),
    ...[...filters].map(([name, value]) => compileFilter(name, value, spec)),
  )
  checkBindings(where)
  return {
    offset,
    limit,
    where,
    orderBy: parseOrderBy(control.get('orderBy') ?? null, spec),
    expand: parseExpand(control.get('expand') ?? null, spec.expandable),
  }
}

/**
 * Sorts parameters into control parameters and filters, each given at most once (Stormpath
 * 2102 "single value only", reported as 2100). Stops at the first excess, so a thousand
 * parameters cost no more than fifty-one.
 */
function singleValues(query: URLSearchParams) {
  const control = new Map<string, string>()
  const filters = new Map<string, string>()
  for (const [name, value] of query) {
    if (PASSED_THROUGH.has(name)) continue
    const into = CONTROL_PARAMETERS.has(name) ? control : filters
    if (into.has(name)) {
      throw queryError(
        'query_malformed',
        name,
        `The ${quote(name)} parameter may be given only once.`,
        `${quote(name)} appears more than once in the query string; give a single value.`,
      )
    }
    into.set(name, value)
    if (filters.size > MAX_FILTER_PARAMETERS) {
      throw queryError(
        'query_malformed',
        name,
        `The query has more than ${MAX_FILTER_PARAMETERS} filter parameters.`,
      )
    }
  }
  return { control, filters }
}

function compileFilter(name: string, value: string, spec: ResourceQuerySpec): SQL {
  // hasOwn: `constructor` or `__proto__` must not resolve to Object.prototype members.
  const attribute = Object.hasOwn(spec.searchable, name) ? spec.searchable[name] : undefined
  const path = attribute || !spec.customData ? undefined : customDataPath(name)
  if (!attribute && !path) throw unsupported(name)
  if (value === '') {
    throw queryError(
      'query_invalid_value',
      name,
      `The ${quote(name)} parameter needs a value.`,
      `${quote(name)} is empty; to match anything, leave the parameter out.`,
    )
  }
  checkValue(name, value)
  return attribute
    ? attributeFilter(name, value, attribute)
    : customDataFilter(name, value, spec.customData!, path!)
}

/**
 * NUL truncation: SQLite's LIKE reads its pattern as a C string, so `givenName=Ada%00xyz` would
 * match "Ada". No stored text contains NUL, so such a value is refused rather than truncated.
 */
function checkValue(name: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH) {
    throw queryError(
      'query_invalid_value',
      name,
      `The ${quote(name)} parameter is longer than ${MAX_VALUE_LENGTH} characters.`,
    )
  }
  if (value.includes('\0')) {
    throw queryError(
      'query_invalid_value',
      name,
      `The ${quote(name)} parameter contains a NUL character.`,
    )
  }
}

/** Renders the condition once to count its parameters: the count is exact, not estimated. */
function checkBindings(where: SQL | undefined): void {
  if (!where || dialect.sqlToQuery(where).params.length <= MAX_FILTER_BINDINGS) return
  throw new EdgepassError('query_malformed', 'The query has too many conditions.', {
    developerMessage: `The filters bind more than ${MAX_FILTER_BINDINGS} values (D1 allows 100 per statement); use fewer filters or ranges.`,
  })
}

function unsupported(name: string) {
  return queryError(
    'query_unsupported',
    name,
    `The ${quote(name)} parameter is not supported by this collection.`,
    `${quote(name)} is not a searchable attribute of this collection.`,
  )
}
