import { eq } from 'drizzle-orm'
import type { Context, Handler, Hono } from 'hono'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import { EdgepassError } from '../../errors'
import { methodNotAllowed } from '../../http/methods'
import type { TenantRow } from '../../store/rows'
import { findInTenant } from '../../store/scoped'
import type { JsonObject } from '../body'
import { scopeOf, type RestEnv, type Scope } from '../context'
import type { Hrefs } from '../hrefs'

export type RestApp = Hono<RestEnv>
export type RestContext = Context<RestEnv>

/** What every route module receives. */
export interface RouteDeps {
  deps: Deps
  hrefs: Hrefs
}

type Verb = 'get' | 'post' | 'delete'

/**
 * Registers a path's handlers and answers its other methods with 405 + `Allow` (code 1100)
 * instead of a misleading 404.
 *
 * @example
 * resource(app, '/directories/:id', { get: readDirectory, post: updateDirectory, delete: removeDirectory })
 */
export function resource(
  app: RestApp,
  path: string,
  handlers: Partial<Record<Verb, Handler<RestEnv>>>,
): void {
  const allow: string[] = []
  const { delete: remove, post } = handlers
  if (remove || post) {
    // `POST …?_method=DELETE` is a DELETE (stormpath-api reference §1), for clients that cannot
    // send one. Handled here, after authentication, so a signature covers the POST as sent.
    const refuseDelete: Handler<RestEnv> = methodNotAllowed(
      Object.keys(handlers).map((verb) => verb.toUpperCase()),
    )
    handlers = {
      ...handlers,
      post: (c, next) => {
        const replacement: Handler<RestEnv> = remove ?? refuseDelete
        if (c.req.query('_method')?.toUpperCase() === 'DELETE') return replacement(c, next)
        return post ? post(c, next) : refuseDelete(c, next)
      },
    }
  }
  for (const [verb, handler] of Object.entries(handlers) as [Verb, Handler<RestEnv>][]) {
    app.on(verb.toUpperCase(), path, handler)
    allow.push(verb.toUpperCase())
    if (verb === 'get') allow.push('HEAD')
  }
  app.all(path, methodNotAllowed(allow))
}

/** Loads a row of the caller's tenant, or answers 404 (another tenant's row is just as missing). */
export async function mustFind<T extends Parameters<typeof findInTenant>[1]>(
  scope: Scope,
  table: T,
  id: string,
  what: string,
): Promise<T['$inferSelect']> {
  const row =
    id.length <= 64 ? await findInTenant(scope.deps.db, table, scope.tenantId, id) : undefined
  if (!row) {
    throw new EdgepassError('not_found', `The ${what} does not exist.`, {
      developerMessage: `No ${what} with id ${JSON.stringify(id.slice(0, 64))}.`,
    })
  }
  return row
}

export function scope(c: RestContext, routeDeps: RouteDeps): Scope {
  return scopeOf(c, routeDeps.deps, routeDeps.hrefs)
}

export function queryOf(c: RestContext): URLSearchParams {
  return new URL(c.req.url).searchParams
}

/** 201 with `Location` and the full resource (the Node SDK throws on an empty 201). */
export function created(c: RestContext, json: JsonObject): Response {
  c.header('Location', String(json.href))
  return c.json(json, 201)
}

/** A boolean query flag: `true`/`false`, anything else is refused. */
export function queryFlag(query: URLSearchParams, name: string): boolean | undefined {
  const value = query.get(name)
  if (value === null) return undefined
  if (value === 'true' || value === 'false') return value === 'true'
  throw new EdgepassError('query_invalid_value', `${name} must be true or false.`, { field: name })
}

/**
 * The tenant of a `/tenants/{id}/…` path: the caller's own; any other id is as missing
 * (DESIGN.md principle 8).
 */
export async function loadPathTenant(c: RestContext, routeDeps: RouteDeps): Promise<TenantRow> {
  const s = scope(c, routeDeps)
  const { tenants } = schema
  const row =
    c.req.param('id') === s.tenantId
      ? await s.deps.db.select().from(tenants).where(eq(tenants.id, s.tenantId)).get()
      : undefined
  if (!row) throw new EdgepassError('not_found', 'The tenant does not exist.')
  return row
}
