import { and, asc, eq, sql } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import { accountsReachedBy, groupsReachedBy, inSubquery } from '../../store/reach'
import type { ApplicationRow, MappingRow, OrganizationRow } from '../../store/rows'
import { findInTenant } from '../../store/scoped'
import type { Scope } from '../context'
import type { ResourceType } from '../hrefs'
import {
  commonSearchable,
  namedResourceSpec,
  searchable,
  customDataLink,
  render,
  timestamps,
  type CollectionSource,
  type LinkSpec,
  type View,
} from './core'
import {
  accountSource,
  apiKeySource,
  collection,
  directoryView,
  groupSource,
  groupView,
  linkTo,
  ownTenant,
} from './directory'
import { oidcClientLink } from './oidc-clients'
import { oauthPolicyLink } from './stormpath-oauth'

const { applications, organizations, accountStoreMappings: mappings, apiKeys, accounts } = schema

/** The owner's default account (or group) store mapping, or null (stormpath-api reference §2, rule 5). */
function defaultMappingLink<Row extends { id: string }>(
  flag: 'isDefaultAccountStore' | 'isDefaultGroupStore',
  type: ResourceType,
): LinkSpec<Row> {
  const find = (scope: Scope, row: Row) =>
    scope.deps.db
      .select()
      .from(mappings)
      .where(and(eq(mappings.ownerId, row.id), eq(mappings[flag], true)))
      .get()
  // The href needs a query, so the view's `prepare` (withDefaultMappings) resolves it first.
  return {
    kind: 'link',
    href: (scope, row) => {
      const id = (row as Row & { [key: string]: string | null })[`_${flag}`]
      return id ? scope.hrefs.of(type, id) : null
    },
    expand: async (scope, row) => {
      const mapping = await find(scope, row)
      return mapping ? render(scope, mappingView, mapping) : null
    },
  }
}

/** Loads the ids of an owner's default mappings, which its representation links to. */
export async function withDefaultMappings<Row extends { id: string }>(
  scope: Scope,
  row: Row,
): Promise<Row> {
  const defaults = await scope.deps.db
    .select({
      id: mappings.id,
      account: mappings.isDefaultAccountStore,
      group: mappings.isDefaultGroupStore,
    })
    .from(mappings)
    .where(eq(mappings.ownerId, row.id))
    .all()
  return {
    ...row,
    _isDefaultAccountStore: defaults.find((mapping) => mapping.account)?.id ?? null,
    _isDefaultGroupStore: defaults.find((mapping) => mapping.group)?.id ?? null,
  }
}

export const applicationView: View<ApplicationRow> = {
  prepare: withDefaultMappings,
  attributes: (scope, row) => ({
    href: scope.hrefs.of('applications', row.id),
    name: row.name,
    description: row.description,
    status: row.status,
    authorizedCallbackUris: JSON.parse(row.authorizedCallbackUris),
    ...timestamps(row),
  }),
  links: {
    tenant: ownTenant(),
    customData: customDataLink('applications'),
    defaultAccountStoreMapping: defaultMappingLink('isDefaultAccountStore', 'accountStoreMappings'),
    defaultGroupStoreMapping: defaultMappingLink('isDefaultGroupStore', 'accountStoreMappings'),
    accountStoreMappings: collection(
      'applications',
      'accountStoreMappings',
      () => mappingSource,
      (_, row) => eq(mappings.ownerId, row.id),
    ),
    accounts: collection(
      'applications',
      'accounts',
      () => accountSource,
      (_, row) => accountsReachedBy(row.id),
    ),
    groups: collection(
      'applications',
      'groups',
      () => groupSource,
      (_, row) => groupsReachedBy(row.id),
    ),
    apiKeys: collection(
      'applications',
      'apiKeys',
      () => apiKeySource,
      (_, row) => inSubquery(apiKeys.accountId, accountIdsReachedBy(row.id)),
    ),
    loginAttempts: actionLink('applications', 'loginAttempts'),
    passwordResetTokens: actionLink('applications', 'passwordResetTokens'),
    verificationEmails: actionLink('applications', 'verificationEmails'),
    oAuthPolicy: oauthPolicyLink(),
    oidcClient: oidcClientLink(),
  },
}

export const organizationView: View<OrganizationRow> = {
  prepare: withDefaultMappings,
  attributes: (scope, row) => ({
    href: scope.hrefs.of('organizations', row.id),
    name: row.name,
    nameKey: row.nameKey,
    description: row.description,
    status: row.status,
    ...timestamps(row),
  }),
  links: {
    tenant: ownTenant(),
    customData: customDataLink('organizations'),
    defaultAccountStoreMapping: defaultMappingLink(
      'isDefaultAccountStore',
      'organizationAccountStoreMappings',
    ),
    defaultGroupStoreMapping: defaultMappingLink(
      'isDefaultGroupStore',
      'organizationAccountStoreMappings',
    ),
    accountStoreMappings: collection(
      'organizations',
      'accountStoreMappings',
      () => mappingSource,
      (_, row) => eq(mappings.ownerId, row.id),
    ),
    accounts: collection(
      'organizations',
      'accounts',
      () => accountSource,
      (_, row) => accountsReachedBy(row.id),
    ),
    groups: collection(
      'organizations',
      'groups',
      () => groupSource,
      (_, row) => groupsReachedBy(row.id),
    ),
  },
}

/** Application mappings live at `/accountStoreMappings`, organization ones at `/organizationAccountStoreMappings`. */
export function mappingType(row: Pick<MappingRow, 'ownerType'>): ResourceType {
  return row.ownerType === 'application'
    ? 'accountStoreMappings'
    : 'organizationAccountStoreMappings'
}

const STORE_TYPES = {
  directory: 'directories',
  group: 'groups',
  organization: 'organizations',
} as const

export const mappingView: View<MappingRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of(mappingType(row), row.id),
    listIndex: row.listIndex,
    isDefaultAccountStore: row.isDefaultAccountStore,
    isDefaultGroupStore: row.isDefaultGroupStore,
    ...timestamps(row),
  }),
  links: {
    application: ownerLink('application'),
    organization: ownerLink('organization'),
    accountStore: {
      kind: 'link',
      href: (scope, row) => scope.hrefs.of(STORE_TYPES[row.storeType], row.storeId),
      expand: async (scope, row) => {
        if (row.storeType === 'directory')
          return expandRow(scope, schema.directories, row.storeId, directoryView)
        if (row.storeType === 'group')
          return expandRow(scope, schema.groups, row.storeId, groupView)
        return expandRow(scope, organizations, row.storeId, organizationView)
      },
    },
  },
}

/** `application` on application mappings, `organization` on organization mappings, else absent. */
function ownerLink(type: MappingRow['ownerType']): LinkSpec<MappingRow> {
  return {
    kind: 'link',
    href: (scope, row) =>
      row.ownerType === type
        ? scope.hrefs.of(type === 'application' ? 'applications' : 'organizations', row.ownerId)
        : null,
    expand: async (scope, row) => {
      if (row.ownerType !== type) return null
      return type === 'application'
        ? expandRow(scope, applications, row.ownerId, applicationView)
        : expandRow(scope, organizations, row.ownerId, organizationView)
    },
  }
}

async function expandRow<Row extends { id: string }>(
  scope: Scope,
  table: Parameters<typeof findInTenant>[1],
  id: string,
  view: View<Row>,
) {
  const row = (await findInTenant(scope.deps.db, table, scope.tenantId, id)) as Row | undefined
  return row ? render(scope, view, row) : null
}

/** An href clients POST to (e.g. `loginAttempts`); there is nothing to expand. */
/** A link to an action endpoint (`loginAttempts`): it has an href but nothing to expand. */
export function actionLink<Row extends { id: string }>(
  type: ResourceType,
  name: string,
): LinkSpec<Row> {
  return {
    kind: 'link',
    href: (scope, row) => scope.hrefs.of(type, row.id, name),
    expand: async () => null,
  }
}

/** Ids of the accounts an owner reaches, as a subquery. */
function accountIdsReachedBy(ownerId: string) {
  return sql`select ${accounts.id} from ${accounts} where ${accountsReachedBy(ownerId)}`
}

export const applicationSource: CollectionSource<ApplicationRow> = {
  table: applications,
  view: applicationView,
  spec: namedResourceSpec(applications),
}

export const organizationSource: CollectionSource<OrganizationRow> = {
  table: organizations,
  view: organizationView,
  spec: (() => {
    const spec = namedResourceSpec(organizations)
    return {
      ...spec,
      searchable: { ...spec.searchable, nameKey: searchable('text', organizations.nameKey) },
      sortable: { ...spec.sortable, nameKey: organizations.nameKey },
    }
  })(),
}

export const mappingSource: CollectionSource<MappingRow> = {
  table: mappings,
  view: mappingView,
  spec: {
    searchable: {
      ...commonSearchable(mappings),
    },
    sortable: { listIndex: mappings.listIndex, createdAt: mappings.createdAt },
    defaultOrder: [asc(mappings.listIndex), asc(mappings.id)],
  },
}
