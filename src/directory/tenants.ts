import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import type { TenantRow } from '../store/rows'
import { refusingDuplicates } from './duplicates'
import { fullNameOf, normaliseEmail, normaliseNameKey } from './names'
import { DEFAULT_PASSWORD_STRENGTH, checkPasswordStrength } from './password-policy'

/** Stormpath's bootstrap names; the Node SDK recognises administrators by this directory name. */
export const ADMIN_DIRECTORY_NAME = 'Stormpath Administrators'
export const ADMIN_APPLICATION_NAME = 'Stormpath'

export interface Registration {
  tenantNameKey: string
  email: string
  givenName: string
  surname: string
  password: string
}

export interface RegisteredTenant {
  tenant: TenantRow
  accountId: string
  applicationId: string
  directoryId: string
}

/**
 * Creates a tenant as Cloudpass's getting-started does: the tenant, its administrators directory
 * and admin application mapped to it (default account and group store), and the first
 * administrator, who owns the tenant. One batch: all of it or none of it.
 */
export async function registerTenant(deps: Deps, input: Registration): Promise<RegisteredTenant> {
  const nameKey = normaliseNameKey(input.tenantNameKey, 'tenantNameKey')
  const email = normaliseEmail(input.email)
  checkPasswordStrength(input.password, DEFAULT_PASSWORD_STRENGTH)
  const passwordHash = await deps.passwords.hash(input.password)
  const now = deps.now()
  const times = { createdAt: now, modifiedAt: now }
  const tenantId = deps.newId()
  const directoryId = deps.newId()
  const applicationId = deps.newId()
  const accountId = deps.newId()
  const names = { givenName: input.givenName.trim(), middleName: '', surname: input.surname.trim() }
  if (fullNameOf(names) === '') {
    throw new EdgepassError('required', 'givenName is required.', { field: 'givenName' })
  }
  const { db } = deps
  await refusingDuplicates(() =>
    db.batch([
      db
        .insert(schema.tenants)
        .values({ id: tenantId, nameKey, name: nameKey, ownerAccountId: accountId, ...times }),
      db.insert(schema.directories).values({
        id: directoryId,
        tenantId,
        name: ADMIN_DIRECTORY_NAME,
        description: 'Administrators of this tenant: their API keys may call /v1.',
        isAdmin: true,
        ...times,
      }),
      db.insert(schema.directoryPolicies).values({ directoryId, tenantId, ...times }),
      db.insert(schema.applications).values({
        id: applicationId,
        tenantId,
        name: ADMIN_APPLICATION_NAME,
        description: 'The application administrators log in through.',
        isAdmin: true,
        ...times,
      }),
      db.insert(schema.accountStoreMappings).values({
        id: deps.newId(),
        tenantId,
        ownerType: 'application',
        ownerId: applicationId,
        storeType: 'directory',
        storeId: directoryId,
        listIndex: 0,
        isDefaultAccountStore: true,
        isDefaultGroupStore: true,
        ...times,
      }),
      db.insert(schema.accounts).values({
        id: accountId,
        tenantId,
        directoryId,
        email,
        username: email,
        ...names,
        emailVerificationStatus: 'VERIFIED',
        passwordHash,
        passwordModifiedAt: now,
        ...times,
      }),
    ]),
  )
  const tenant = await findTenant(deps, tenantId)
  return { tenant: tenant!, accountId, applicationId, directoryId }
}

export async function findTenant(
  deps: Pick<Deps, 'db'>,
  id: string,
): Promise<TenantRow | undefined> {
  return deps.db.select().from(schema.tenants).where(eq(schema.tenants.id, id)).get()
}

export async function findTenantByKey(
  deps: Pick<Deps, 'db'>,
  nameKey: string,
): Promise<TenantRow | undefined> {
  return deps.db
    .select()
    .from(schema.tenants)
    .where(eq(schema.tenants.nameKey, nameKey.trim().toLowerCase()))
    .get()
}
