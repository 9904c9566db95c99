import type { SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'

/**
 * How an attribute is searched (stormpath-api reference §8): `text` by case-insensitive match
 * with `*` wildcards (`folded`: the same, for a column stored lower-case, so that an exact match
 * can use a plain index), `status` and `id` by exact value, `date` by instant ranges.
 */
export type AttributeKind = 'text' | 'folded' | 'status' | 'date' | 'id'

/** A searchable attribute: its column and how values for it are read. */
export interface AttributeSpec {
  column: SQLiteColumn
  kind: AttributeKind
}

/**
 * What a collection lets its callers filter, sort and expand. One per collection resource,
 * declared next to its route.
 *
 * @example
 * const directoryQuery: ResourceQuerySpec = {
 *   searchable: { name: { column: directories.name, kind: 'text' } },
 *   sortable: { name: directories.name, createdAt: directories.createdAt },
 *   expandable: { tenant: 'link', accounts: 'collection' },
 *   defaultOrder: [asc(directories.createdAt), asc(directories.id)],
 * }
 */
export interface ResourceQuerySpec {
  /** Attributes usable in `attr=value` filters and in `q` (text kinds only for q). */
  searchable: Record<string, AttributeSpec>
  /** Attributes usable in orderBy. */
  sortable: Record<string, SQLiteColumn>
  /** Link names usable in `expand` (e.g. 'directory', 'tenant', 'customData', 'groups'). Collections among them accept `(offset:N,limit:N)`. */
  expandable: Record<string, 'link' | 'collection'>
  /** JSON text column holding custom data, when `customData.key=value` search and orderBy are allowed (accounts). */
  customData?: SQLiteColumn
  /** Stable default order, e.g. [asc(t.createdAt), asc(t.id)]; appended after any orderBy as a tie-breaker. */
  defaultOrder: SQL[]
}

/** One `expand` item; `offset` and `limit` only for collections, and only when given. */
export interface ExpandRequest {
  name: string
  offset?: number
  limit?: number
}

/**
 * A parsed collection request, ready for
 * `db.select().from(t).where(and(scope, q.where)).orderBy(...q.orderBy).limit(q.limit).offset(q.offset)`.
 * `limit` is the effective (clamped) limit, the one the response echoes.
 */
export interface CollectionQuery {
  offset: number
  limit: number
  where: SQL | undefined
  orderBy: SQL[]
  expand: ExpandRequest[]
}
