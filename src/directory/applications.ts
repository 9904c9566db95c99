import { and, eq, inArray, or } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { renumberMappings } from '../store/mappings'
import type { ApplicationRow, DirectoryRow, OrganizationRow, Status } from '../store/rows'
import { inTenant } from '../store/scoped'
import { createDirectory, deleteDirectory } from './directories'
import { refusingDuplicates, updateNamedRow } from './duplicates'
import { createMapping } from './mappings'
import { normaliseNameKey } from './names'

export interface ApplicationInput {
  name?: string
  description?: string
  status?: Status
  authorizedCallbackUris?: string[]
}

/**
 * Creates an application; with `createDirectory` (true, or a name) also a directory mapped as its
 * default account and group store (`POST /applications?createDirectory=true`).
 */
export async function createApplication(
  deps: Deps,
  tenantId: string,
  input: ApplicationInput & { name: string },
  createDirectoryNamed?: string,
): Promise<ApplicationRow> {
  const now = deps.now()
  const row: ApplicationRow = {
    id: deps.newId(),
    tenantId,
    name: input.name.trim(),
    description: input.description ?? '',
    status: input.status ?? 'ENABLED',
    authorizedCallbackUris: JSON.stringify(input.authorizedCallbackUris ?? []),
    isAdmin: false,
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: '{}',
    customDataModifiedAt: null,
  }
  await refusingDuplicates(() => deps.db.insert(schema.applications).values(row))
  if (createDirectoryNamed === undefined) return row
  let directory: DirectoryRow | undefined
  try {
    directory = await createDirectory(deps, tenantId, {
      name: createDirectoryNamed || `${row.name} Directory`,
    })
    await createMapping(
      deps,
      { type: 'application', id: row.id, tenantId },
      { type: 'directory', id: directory.id },
      { isDefaultAccountStore: true, isDefaultGroupStore: true },
    )
  } catch (error) {
    // createDirectory commits its own batch and D1 has no interactive transactions, so undo by
    // hand: a refused request (e.g. the directory name is taken, 409) must leave nothing behind.
    await deleteApplication(deps, row)
    if (directory) await deleteDirectory(deps, directory)
    throw error
  }
  return row
}

export async function updateApplication(
  deps: Deps,
  application: ApplicationRow,
  input: ApplicationInput,
): Promise<ApplicationRow> {
  if (application.isAdmin && input.status === 'DISABLED') {
    throw new EdgepassError('invalid_value', 'The administrators application cannot be disabled.', {
      field: 'status',
    })
  }
  const { authorizedCallbackUris, ...rest } = input
  const changes = {
    ...rest,
    ...(authorizedCallbackUris
      ? { authorizedCallbackUris: JSON.stringify(authorizedCallbackUris) }
      : {}),
  }
  return updateNamedRow(deps, schema.applications, application, changes, 'application')
}

/** Deletes an application and its account store mappings; the admin application stays. */
export async function deleteApplication(deps: Deps, application: ApplicationRow): Promise<void> {
  if (application.isAdmin) {
    throw new EdgepassError('invalid_value', 'The administrators application cannot be deleted.')
  }
  const { db } = deps
  const mappings = schema.accountStoreMappings
  const clientIds = db
    .select({ id: schema.oidcClients.id })
    .from(schema.oidcClients)
    .where(eq(schema.oidcClients.applicationId, application.id))
  await db.batch([
    db
      .delete(mappings)
      .where(
        and(eq(mappings.tenantId, application.tenantId), eq(mappings.ownerId, application.id)),
      ),
    // Its OIDC client and whatever that client was granted or issued go with it.
    db.delete(schema.oidcTokens).where(inArray(schema.oidcTokens.clientId, clientIds)),
    db.delete(schema.oidcGrants).where(inArray(schema.oidcGrants.clientId, clientIds)),
    db.delete(schema.oidcClients).where(eq(schema.oidcClients.applicationId, application.id)),
    // And its LDAP bind secret: a later application cannot inherit it (ids are never reused).
    db.delete(schema.ldapAppSecrets).where(eq(schema.ldapAppSecrets.applicationId, application.id)),
    db
      .delete(schema.applications)
      .where(inTenant(schema.applications, application.tenantId, application.id)),
    renumberMappings(db, application.tenantId),
  ])
}

export interface OrganizationInput {
  name?: string
  nameKey?: string
  description?: string
  status?: Status
}

export async function createOrganization(
  deps: Deps,
  tenantId: string,
  input: OrganizationInput & { name: string; nameKey: string },
): Promise<OrganizationRow> {
  const now = deps.now()
  const row: OrganizationRow = {
    id: deps.newId(),
    tenantId,
    name: input.name.trim(),
    nameKey: normaliseNameKey(input.nameKey, 'nameKey'),
    description: input.description ?? '',
    status: input.status ?? 'ENABLED',
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: '{}',
    customDataModifiedAt: null,
  }
  await refusingDuplicates(() => deps.db.insert(schema.organizations).values(row))
  return row
}

export async function updateOrganization(
  deps: Deps,
  organization: OrganizationRow,
  input: OrganizationInput,
): Promise<OrganizationRow> {
  const changes = {
    ...input,
    ...(input.nameKey ? { nameKey: normaliseNameKey(input.nameKey, 'nameKey') } : {}),
  }
  return updateNamedRow(deps, schema.organizations, organization, changes, 'organization')
}

/** Deletes an organization, its own mappings and the applications' mappings to it. */
export async function deleteOrganization(deps: Deps, organization: OrganizationRow): Promise<void> {
  const { db } = deps
  const mappings = schema.accountStoreMappings
  await db.batch([
    db
      .delete(mappings)
      .where(
        and(
          eq(mappings.tenantId, organization.tenantId),
          or(eq(mappings.ownerId, organization.id), eq(mappings.storeId, organization.id)),
        ),
      ),
    db
      .delete(schema.organizations)
      .where(inTenant(schema.organizations, organization.tenantId, organization.id)),
    renumberMappings(db, organization.tenantId),
  ])
}
