/**
 * Upstream (`oidc`) directories' connections: created with the directory, their client secret
 * sealed with SECRET_KEY in the same `directory_providers` row an LDAP directory uses.
 */
import { and, asc, eq } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import type { DirectoryRow } from '../../store/rows'
import { createDirectory, type DirectoryInput } from '../directories'
import { sealContext } from '../external/providers'
import { resolveUpstreamSettings, type UpstreamInput, type UpstreamSettings } from './settings'

export interface UpstreamRecord {
  directoryId: string
  settings: UpstreamSettings
  clientSecretSealed: string | null
  createdAt: Date
  modifiedAt: Date
}

export async function upstreamOf(
  deps: Pick<Deps, 'db'>,
  directoryId: string,
): Promise<UpstreamRecord | undefined> {
  const { directoryProviders: p } = schema
  const row = await deps.db.select().from(p).where(eq(p.directoryId, directoryId)).get()
  if (!row) return undefined
  const settings = JSON.parse(row.settings) as UpstreamSettings
  if (settings.kind !== 'oidc') return undefined
  return {
    directoryId,
    settings,
    clientSecretSealed: row.bindPasswordSealed,
    createdAt: row.createdAt,
    modifiedAt: row.modifiedAt,
  }
}

export async function openClientSecret(
  deps: Pick<Deps, 'sealer'>,
  record: UpstreamRecord,
): Promise<string | undefined> {
  return record.clientSecretSealed
    ? deps.sealer.open(record.clientSecretSealed, sealContext(record.directoryId))
    : undefined
}

export async function createUpstreamDirectory(
  deps: Deps,
  tenantId: string,
  input: DirectoryInput & { name: string },
  provider: UpstreamInput,
): Promise<DirectoryRow> {
  const settings = resolveUpstreamSettings(provider, undefined)
  const directoryId = deps.newId()
  const now = deps.now()
  const sealed = provider.clientSecret
    ? await deps.sealer.seal(provider.clientSecret, sealContext(directoryId))
    : null
  return createDirectory(deps, tenantId, input, {
    id: directoryId,
    providerId: 'oidc',
    also: [
      deps.db.insert(schema.directoryProviders).values({
        directoryId,
        tenantId,
        settings: JSON.stringify(settings),
        bindPasswordSealed: sealed,
        createdAt: now,
        modifiedAt: now,
      }),
    ],
  })
}

export async function updateUpstream(
  deps: Deps,
  record: UpstreamRecord,
  input: UpstreamInput,
): Promise<void> {
  const settings = resolveUpstreamSettings(input, record.settings)
  const sealed =
    input.clientSecret === undefined
      ? record.clientSecretSealed
      : input.clientSecret === ''
        ? null
        : await deps.sealer.seal(input.clientSecret, sealContext(record.directoryId))
  await deps.db
    .update(schema.directoryProviders)
    .set({ settings: JSON.stringify(settings), bindPasswordSealed: sealed, modifiedAt: deps.now() })
    .where(eq(schema.directoryProviders.directoryId, record.directoryId))
}

/** The enabled upstream directories an application maps directly, in its store order: its buttons. */
export async function upstreamsOfApplication(
  deps: Pick<Deps, 'db'>,
  applicationId: string,
): Promise<{ directoryId: string; label: string }[]> {
  const { accountStoreMappings: m, directories: d, directoryProviders: p } = schema
  const rows = await deps.db
    .select({ directoryId: d.id, settings: p.settings })
    .from(m)
    .innerJoin(d, eq(d.id, m.storeId))
    .innerJoin(p, eq(p.directoryId, d.id))
    .where(and(eq(m.ownerId, applicationId), eq(d.providerId, 'oidc'), eq(d.status, 'ENABLED')))
    .orderBy(asc(m.listIndex))
    .all()
  return rows.map((row) => ({
    directoryId: row.directoryId,
    label: (JSON.parse(row.settings) as UpstreamSettings).buttonLabel,
  }))
}
