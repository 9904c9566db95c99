/**
 * Which tenant an OIDC request belongs to (reference §2, §6.7): each tenant is one issuer, the
 * tenant in the issuer's path — never after `/.well-known/`, which breaks issuer-append
 * discovery. The default tenant (DEFAULT_TENANT, else the first registered) also answers at
 * `${BASE_URL}/openid`, Cloudron's issuer.
 *
 * Every OIDC request starts here, so the answer is kept per isolate: a tenant's id and name key
 * never change and tenants are never deleted, so neither the mapping nor the default tenant (the
 * oldest, or a fixed name) can go stale once found. Misses are not kept: a tenant registered a
 * moment later must be found.
 */
import { asc, eq, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import type { Database } from '../store/db'
import type { IssuerContext, IssuerTenant } from './context'

/** The issuer URL of a tenant. */
export function issuerOf(
  deps: Pick<Deps, 'config'>,
  tenant: IssuerTenant,
  isDefault: boolean,
): string {
  const base = deps.config.baseUrl
  return isDefault ? `${base}/openid` : `${base}/t/${tenant.nameKey}/openid`
}

interface IssuerCache {
  fallback?: IssuerTenant
  byKey: Map<string, IssuerTenant>
  byNameKey: { get(values: { nameKey: string }): Promise<IssuerTenant | undefined> }
  oldest: { get(): Promise<IssuerTenant | undefined> }
}

/** Bounds the name-key map against a flood of made-up `/t/{key}` paths: only hits are kept. */
const MAX_CACHED_TENANTS = 10_000
const caches = new WeakMap<Database, IssuerCache>()

function cacheOf(db: Database): IssuerCache {
  let cache = caches.get(db)
  if (!cache) {
    const { tenants } = schema
    const columns = { id: tenants.id, nameKey: tenants.nameKey }
    cache = {
      byKey: new Map(),
      byNameKey: db
        .select(columns)
        .from(tenants)
        .where(eq(tenants.nameKey, sql.placeholder('nameKey')))
        .prepare() as unknown as IssuerCache['byNameKey'],
      oldest: db
        .select(columns)
        .from(tenants)
        .orderBy(asc(tenants.createdAt), asc(tenants.id))
        .limit(1)
        .prepare() as unknown as IssuerCache['oldest'],
    }
    caches.set(db, cache)
  }
  return cache
}

async function tenantByNameKey(db: Database, nameKey: string): Promise<IssuerTenant | undefined> {
  const cache = cacheOf(db)
  const cached = cache.byKey.get(nameKey)
  if (cached) return cached
  const found = await cache.byNameKey.get({ nameKey })
  if (found && cache.byKey.size < MAX_CACHED_TENANTS) cache.byKey.set(nameKey, found)
  return found
}

/** The default tenant: DEFAULT_TENANT when set, else the oldest tenant. */
export async function defaultTenant(
  deps: Pick<Deps, 'db' | 'config'>,
): Promise<IssuerTenant | undefined> {
  const cache = cacheOf(deps.db)
  if (cache.fallback) return cache.fallback
  const named = deps.config.defaultTenant
  const found = named ? await tenantByNameKey(deps.db, named) : await cache.oldest.get()
  if (found) cache.fallback = found
  return found
}

/**
 * The issuer for `/openid` (no key) or `/t/{nameKey}/openid`. A tenant that is the default is
 * addressed only at `/openid`, so that each tenant has exactly one issuer string.
 */
export async function resolveIssuer(
  deps: Pick<Deps, 'db' | 'config'>,
  nameKey: string | undefined,
): Promise<IssuerContext> {
  const fallback = await defaultTenant(deps)
  if (nameKey === undefined) {
    if (!fallback) throw new EdgepassError('not_found', 'No tenant exists yet.')
    return { tenant: fallback, issuer: issuerOf(deps, fallback, true) }
  }
  const tenant = nameKey.length <= 63 ? await tenantByNameKey(deps.db, nameKey) : undefined
  if (!tenant || tenant.id === fallback?.id) {
    throw new EdgepassError('not_found', 'There is no such issuer.')
  }
  return { tenant, issuer: issuerOf(deps, tenant, false) }
}
