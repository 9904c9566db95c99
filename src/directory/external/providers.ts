/**
 * External directories' connections (issue "External directory connector"): a Directory whose
 * provider is `ldap` has a `directory_providers` row with its settings and its sealed service
 * bind password. Created with the directory, updated through `/v1/directories/{id}/provider`, and
 * switched off there: then the directory becomes a local one and its accounts local accounts,
 * without passwords until they set one through the reset workflow (Cloudron's "Disable").
 */
import { and, eq, inArray } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import type { DirectoryRow } from '../../store/rows'
import { createDirectory, type DirectoryInput } from '../directories'
import {
  parseStoredSettings,
  resolveSettings,
  type ExternalSettings,
  type ProviderInput,
} from './settings'

/** A directory's external connection, the bind password still sealed. */
export interface ProviderRecord {
  directoryId: string
  tenantId: string
  settings: ExternalSettings
  bindPasswordSealed: string | null
  createdAt: Date
  modifiedAt: Date
}

/** Where a provider's secret is sealed: bound to its directory (LDAP and upstream alike). */
export const sealContext = (directoryId: string) => `directory-provider:${directoryId}`

/** The external connection of `directoryId`, if it has one. */
export async function providerOf(
  deps: Pick<Deps, 'db'>,
  directoryId: string,
): Promise<ProviderRecord | undefined> {
  const { directoryProviders: p } = schema
  const row = await deps.db.select().from(p).where(eq(p.directoryId, directoryId)).get()
  // An upstream (`oidc`) directory's row is not an LDAP connection (src/directory/upstream).
  if (!row || (JSON.parse(row.settings) as { kind?: string }).kind === 'oidc') return undefined
  return { ...row, settings: parseStoredSettings(row.settings) }
}

/** The service bind password in clear, for the LDAP client ('' for an anonymous bind). */
export async function openBindPassword(
  deps: Pick<Deps, 'sealer'>,
  provider: ProviderRecord,
): Promise<string> {
  if (!provider.bindPasswordSealed) return ''
  return deps.sealer.open(provider.bindPasswordSealed, sealContext(provider.directoryId))
}

/**
 * Creates an external directory: the directory (provider `ldap`), its policies and its
 * connection, in one batch.
 */
export async function createExternalDirectory(
  deps: Deps,
  tenantId: string,
  input: DirectoryInput & { name: string },
  provider: ProviderInput,
): Promise<DirectoryRow> {
  const settings = resolveSettings(provider, undefined)
  const directoryId = deps.newId()
  const bindPasswordSealed = provider.bindPassword
    ? await deps.sealer.seal(provider.bindPassword, sealContext(directoryId))
    : null
  const now = deps.now()
  return createDirectory(deps, tenantId, input, {
    id: directoryId,
    providerId: 'ldap',
    also: [
      deps.db.insert(schema.directoryProviders).values({
        directoryId,
        tenantId,
        settings: JSON.stringify(settings),
        bindPasswordSealed,
        createdAt: now,
        modifiedAt: now,
      }),
    ],
  })
}

/** Applies a partial update of the settings; a `bindPassword` replaces the sealed one. */
export async function updateProvider(
  deps: Deps,
  provider: ProviderRecord,
  input: ProviderInput,
): Promise<ProviderRecord> {
  const settings = resolveSettings(input, provider.settings)
  const bindPasswordSealed =
    input.bindPassword === undefined
      ? provider.bindPasswordSealed
      : input.bindPassword === ''
        ? null
        : await deps.sealer.seal(input.bindPassword, sealContext(provider.directoryId))
  const modifiedAt = deps.now()
  await deps.db
    .update(schema.directoryProviders)
    .set({ settings: JSON.stringify(settings), bindPasswordSealed, modifiedAt })
    .where(eq(schema.directoryProviders.directoryId, provider.directoryId))
  return { ...provider, settings, bindPasswordSealed, modifiedAt }
}

/**
 * Switches the connector off: the directory becomes local (`stormpath`), its accounts and
 * groups local ones that can be edited. The accounts have no password here (it was the
 * server's), so they sign in again only after a password reset; their sessions end now, since
 * their credentials no longer mean what they did. Queued syncs are dropped.
 */
export async function disableProvider(deps: Deps, directory: DirectoryRow): Promise<DirectoryRow> {
  const { accounts, groups, directories, directoryProviders, directorySyncRuns } = schema
  const now = deps.now()
  const accountIds = deps.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.directoryId, directory.id))
  await deps.db.batch([
    deps.db
      .update(accounts)
      .set({ externalId: null, missingAt: null, passwordHash: null, modifiedAt: now })
      .where(eq(accounts.directoryId, directory.id)),
    deps.db
      .update(groups)
      .set({ externalId: null, modifiedAt: now })
      .where(eq(groups.directoryId, directory.id)),
    deps.db.delete(schema.apiSessions).where(inArray(schema.apiSessions.accountId, accountIds)),
    deps.db.delete(schema.oidcSessions).where(inArray(schema.oidcSessions.accountId, accountIds)),
    deps.db.delete(schema.oidcTokens).where(inArray(schema.oidcTokens.accountId, accountIds)),
    deps.db.delete(directoryProviders).where(eq(directoryProviders.directoryId, directory.id)),
    deps.db
      .delete(directorySyncRuns)
      .where(
        and(eq(directorySyncRuns.directoryId, directory.id), eq(directorySyncRuns.state, 'queued')),
      ),
    deps.db
      .update(directories)
      .set({ providerId: 'stormpath', modifiedAt: now })
      .where(eq(directories.id, directory.id)),
  ])
  return { ...directory, providerId: 'stormpath', modifiedAt: now }
}
