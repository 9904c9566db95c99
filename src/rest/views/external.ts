/**
 * External directories on `/v1`: a directory's `provider` (Stormpath's mirror directories'
 * analogue; the bind password is never shown, only whether one is set) and its sync runs.
 */
import { desc } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import { isoDuration } from '../../directory/durations'
import { providerOf, type ProviderRecord } from '../../directory/external/providers'
import type { SyncRunRow } from '../../directory/external/sync-runs'
import { upstreamOf } from '../../directory/upstream/providers'
import type { DirectoryRow } from '../../store/rows'
import type { JsonObject } from '../body'
import type { Scope } from '../context'
import { commonSearchable, searchable, timestamps, type CollectionSource, type View } from './core'

/**
 * The `provider` resource of a directory: `stormpath` (local), `ldap` or `oidc` with its
 * settings (secrets never shown: only whether one is set).
 */
export async function providerJson(scope: Scope, directory: DirectoryRow): Promise<JsonObject> {
  const href = scope.hrefs.of('directories', directory.id, 'provider')
  if (directory.providerId === 'oidc') {
    const upstream = await upstreamOf(scope.deps, directory.id)
    if (upstream) {
      const { kind: _kind, ...settings } = upstream.settings
      return {
        href,
        providerId: 'oidc',
        ...settings,
        clientSecretSet: upstream.clientSecretSealed !== null,
        ...timestamps(upstream),
      }
    }
  }
  const provider =
    directory.providerId === 'ldap' ? await providerOf(scope.deps, directory.id) : undefined
  if (!provider) return { href, providerId: directory.providerId, ...timestamps(directory) }
  return {
    href,
    ...externalSettingsJson(provider),
    syncRuns: { href: scope.hrefs.of('directories', directory.id, 'syncRuns') },
    ...timestamps(provider),
  }
}

function externalSettingsJson(provider: ProviderRecord): JsonObject {
  const { settings } = provider
  return {
    providerId: 'ldap',
    preset: settings.preset,
    url: settings.url,
    baseDn: settings.baseDn,
    filter: settings.filter,
    usernameField: settings.usernameField,
    mailField: settings.mailField,
    nameFields: {
      givenName: settings.givenNameField,
      surname: settings.surnameField,
      displayName: settings.displayNameField,
    },
    uuidField: settings.uuidField,
    groupBaseDn: settings.groupBaseDn,
    groupFilter: settings.groupFilter,
    groupnameField: settings.groupnameField,
    groupMemberField: settings.groupMemberField,
    bindDn: settings.bindDn,
    bindPasswordSet: provider.bindPasswordSealed !== null,
    acceptSelfSignedCertificates: settings.acceptSelfSignedCertificates,
    autoCreate: settings.autoCreate,
    syncGroups: settings.syncGroups,
    syncInterval: isoDuration(settings.syncIntervalSeconds),
  }
}

/** A sync run, as `POST …/sync` answers it and `/directorySyncRuns/{id}` serves it. */
export const syncRunView: View<SyncRunRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('directorySyncRuns', row.id),
    directory: { href: scope.hrefs.of('directories', row.directoryId) },
    trigger: row.trigger,
    state: row.state,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    total: row.total,
    processed: row.processed,
    seen: row.seen,
    created: row.created,
    updated: row.updated,
    unchanged: row.unchanged,
    missing: row.missing,
    conflicts: row.conflicts,
    groups: row.groups,
    log: JSON.parse(row.log) as unknown[],
  }),
  links: {},
}

const { directorySyncRuns } = schema

export const syncRunSource: CollectionSource<SyncRunRow> = {
  table: directorySyncRuns,
  view: syncRunView,
  spec: {
    searchable: {
      ...commonSearchable({ ...directorySyncRuns, modifiedAt: directorySyncRuns.createdAt }),
      state: searchable('text', directorySyncRuns.state),
    },
    sortable: { createdAt: directorySyncRuns.createdAt },
    defaultOrder: [desc(directorySyncRuns.createdAt), desc(directorySyncRuns.id)],
  },
}
