/**
 * Which tenant an OIDC request belongs to (reference §2, §6.7): each tenant is one issuer, the
 * tenant in the issuer's path — never after `/.well-known/`, which breaks issuer-append
 * discovery. The default tenant (DEFAULT_TENANT, else the first registered) also answers at
 * `${BASE_URL}/openid`, Cloudron's issuer.
 */
import { asc, eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import type { TenantRow } from '../store/rows'
import type { IssuerContext } from './context'

/** The issuer URL of a tenant. */
export function issuerOf(
  deps: Pick<Deps, 'config'>,
  tenant: TenantRow,
  isDefault: boolean,
): string {
  const base = deps.config.baseUrl
  return isDefault ? `${base}/openid` : `${base}/t/${tenant.nameKey}/openid`
}

/** The default tenant: DEFAULT_TENANT when set, else the oldest tenant. */
export async function defaultTenant(
  deps: Pick<Deps, 'db' | 'config'>,
): Promise<TenantRow | undefined> {
  const { tenants } = schema
  const named = deps.config.defaultTenant
  if (named) return deps.db.select().from(tenants).where(eq(tenants.nameKey, named)).get()
  return deps.db
    .select()
    .from(tenants)
    .orderBy(asc(tenants.createdAt), asc(tenants.id))
    .limit(1)
    .get()
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
  const tenant =
    nameKey.length <= 63
      ? await deps.db.select().from(schema.tenants).where(eq(schema.tenants.nameKey, nameKey)).get()
      : undefined
  if (!tenant || tenant.id === fallback?.id) {
    throw new EdgepassError('not_found', 'There is no such issuer.')
  }
  return { tenant, issuer: issuerOf(deps, tenant, false) }
}
