import { and, asc, count, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { parseCustomData } from '../../directory/custom-data'
import type { JsonObject } from '../body'
import type { Scope } from '../context'
import type { ResourceType } from '../hrefs'
import {
  parseCollectionQuery,
  parseExpand,
  type AttributeKind,
  type AttributeSpec,
  type ExpandRequest,
  type ResourceQuerySpec,
} from '../query'

/** `{href, offset, limit, size, items}`: `size` is the total number of matches. */
export interface CollectionJson {
  href: string
  offset: number
  limit: number
  size: number
  items: JsonObject[]
}

/** A link of a resource: a single resource (or null) or a collection; both can be expanded. */
export type LinkSpec<Row> =
  | {
      kind: 'link'
      href(scope: Scope, row: Row): string | null
      expand(scope: Scope, row: Row): Promise<JsonObject | null>
    }
  | {
      kind: 'collection'
      href(scope: Scope, row: Row): string
      list(scope: Scope, row: Row, query: URLSearchParams): Promise<CollectionJson>
    }

/** How one resource type is rendered: its attributes, and its links by name. */
export interface View<Row> {
  /** Loads what the representation needs beyond the row itself (e.g. default mappings). */
  prepare?(scope: Scope, row: Row): Promise<Row>
  attributes(scope: Scope, row: Row): JsonObject
  links: Record<string, LinkSpec<Row>>
}

/** The link names of a view and their kinds, as `expand` accepts them. */
export function expandableOf(view: View<any>): ResourceQuerySpec['expandable'] {
  return Object.fromEntries(Object.entries(view.links).map(([name, link]) => [name, link.kind]))
}

/**
 * Renders a resource with `{href}` links, replacing the expanded ones by the resources or
 * collections they point to (one level only: stormpath-api reference §8).
 */
export async function render<Row>(
  scope: Scope,
  view: View<Row>,
  row: Row,
  expand: readonly ExpandRequest[] = [],
): Promise<JsonObject> {
  // Some links need more than the row (an application's default mappings): without this,
  // `defaultAccountStoreMapping` would always render as null.
  const full = view.prepare ? await view.prepare(scope, row) : row
  const json: JsonObject = view.attributes(scope, full)
  for (const [name, link] of Object.entries(view.links)) {
    const href = link.href(scope, full)
    json[name] = href === null ? null : { href }
  }
  for (const request of expand) {
    const link = view.links[request.name]
    if (!link) continue
    if (link.kind === 'link') json[request.name] = await link.expand(scope, full)
    else json[request.name] = await link.list(scope, full, pagingQuery(request))
  }
  return json
}

/** Renders one resource for a `GET`/`POST` response, honouring `?expand=`. */
export function renderRequested<Row>(
  scope: Scope,
  view: View<Row>,
  row: Row,
  query: URLSearchParams,
): Promise<JsonObject> {
  return rendererFor(scope, view, query)(row)
}

/**
 * Parses `?expand=` at once and returns the renderer for the response. Routes that write call it
 * before writing, so a bad `expand` (2107) is refused with nothing written behind it.
 *
 * @example
 * const respond = rendererFor(s, directoryView, queryOf(c))
 * return created(c, await respond(await createDirectory(deps, s.tenantId, input)))
 */
export function rendererFor<Row>(
  scope: Scope,
  view: View<Row>,
  query: URLSearchParams,
): (row: Row) => Promise<JsonObject> {
  const expand = parseExpand(query.get('expand'), expandableOf(view))
  return (row) => render(scope, view, row, expand)
}

function pagingQuery(request: ExpandRequest): URLSearchParams {
  const query = new URLSearchParams()
  if (request.offset !== undefined) query.set('offset', String(request.offset))
  if (request.limit !== undefined) query.set('limit', String(request.limit))
  return query
}

/** Where a collection's items come from: a table, its query rules and its view. */
export interface CollectionSource<Row> {
  table: SQLiteTable
  spec: Omit<ResourceQuerySpec, 'expandable'>
  view: View<Row>
}

/**
 * Answers a collection request: `scopeWhere` confines it (tenant, owner), the query adds
 * filters, order, paging and expansion. Two statements: the page and the total.
 */
export async function listCollection<Row>(
  scope: Scope,
  href: string,
  source: CollectionSource<Row>,
  scopeWhere: SQL | undefined,
  query: URLSearchParams,
): Promise<CollectionJson> {
  const spec = { ...source.spec, expandable: expandableOf(source.view) }
  const q = parseCollectionQuery(query, spec)
  const where = and(scopeWhere, q.where)
  const { db } = scope.deps
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(source.table)
      .where(where)
      .orderBy(...q.orderBy)
      .limit(q.limit)
      .offset(q.offset)
      .all(),
    db.select({ n: count() }).from(source.table).where(where).get(),
  ])
  const items = await Promise.all(
    rows.map((row) => render(scope, source.view, row as Row, q.expand)),
  )
  return { href, offset: q.offset, limit: q.limit, size: total?.n ?? 0, items }
}

/** The `customData` link every resource that has custom data carries. */
export function customDataLink<Row extends { id: string }>(type: ResourceType): LinkSpec<Row> {
  return {
    kind: 'link',
    href: (scope, row) => scope.hrefs.of(type, row.id, 'customData'),
    expand: async (scope, row) => renderCustomData(scope, type, row as never),
  }
}

/** Custom data as Stormpath shows it: its own href and timestamps beside the fields. */
export function renderCustomData(
  scope: Scope,
  type: ResourceType,
  row: { id: string; createdAt: Date; customData: string; customDataModifiedAt: Date | null },
): JsonObject {
  return {
    href: scope.hrefs.of(type, row.id, 'customData'),
    createdAt: row.createdAt.toISOString(),
    modifiedAt: (row.customDataModifiedAt ?? row.createdAt).toISOString(),
    ...parseCustomData(row.customData),
  }
}

export function timestamps(row: { createdAt: Date; modifiedAt: Date }): JsonObject {
  return { createdAt: row.createdAt.toISOString(), modifiedAt: row.modifiedAt.toISOString() }
}

/** Searchable-attribute declarations for collection specs (see `AttributeKind`). */
export function searchable(kind: AttributeKind, column: unknown): AttributeSpec {
  return { column: column as AttributeSpec['column'], kind }
}

/** `id`, `createdAt` and `modifiedAt`: searchable on every collection. */
export function commonSearchable(table: { id: unknown; createdAt: unknown; modifiedAt: unknown }) {
  return {
    id: searchable('id', table.id),
    createdAt: searchable('date', table.createdAt),
    modifiedAt: searchable('date', table.modifiedAt),
  }
}

/** A table of named resources: directories, groups, applications, organizations. */
interface NamedTable {
  id: SQLiteColumn
  name: SQLiteColumn
  description: SQLiteColumn
  status: SQLiteColumn
  createdAt: SQLiteColumn
  modifiedAt: SQLiteColumn
}

/**
 * The collection rules every named resource shares (stormpath-api reference §8): search and sort
 * by name, description, status and the timestamps, newest last.
 */
export function namedResourceSpec(table: NamedTable): CollectionSource<unknown>['spec'] {
  return {
    searchable: {
      ...commonSearchable(table),
      name: searchable('text', table.name),
      description: searchable('text', table.description),
      status: searchable('status', table.status),
    },
    sortable: {
      name: table.name,
      description: table.description,
      status: table.status,
      createdAt: table.createdAt,
      modifiedAt: table.modifiedAt,
    },
    defaultOrder: [asc(table.createdAt), asc(table.id)],
  }
}
