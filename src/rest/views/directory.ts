import { providerJson } from './external'
import { and, asc, eq, sql } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import { fullNameOf } from '../../directory/names'
import { inSubquery, ownersMapping } from '../../store/reach'
import type {
  AccountRow,
  ApiKeyRow,
  DirectoryRow,
  GroupRow,
  MembershipRow,
  TenantRow,
} from '../../store/rows'
import { findInTenant } from '../../store/scoped'
import type { Scope } from '../context'
import type { ResourceType } from '../hrefs'
import { applicationSource, mappingSource, organizationSource } from './applications'
import { factorSource } from './factors'
import { tenantOutbox } from './outbox'
import {
  commonSearchable,
  namedResourceSpec,
  searchable,
  customDataLink,
  listCollection,
  render,
  timestamps,
  type CollectionSource,
  type LinkSpec,
  type View,
} from './core'

const { tenants, directories, accounts, groups, groupMemberships, apiKeys, accountStoreMappings } =
  schema

/** A link to another resource of the tenant, expanded by loading it. */
export function linkTo<Row, Target>(
  type: ResourceType,
  table: Parameters<typeof findInTenant>[1],
  idOf: (row: Row) => string | null,
  view: () => View<Target>,
): LinkSpec<Row> {
  return {
    kind: 'link',
    href: (scope, row) => {
      const id = idOf(row)
      return id === null ? null : scope.hrefs.of(type, id)
    },
    expand: async (scope, row) => {
      const id = idOf(row)
      const target =
        id === null ? undefined : await findInTenant(scope.deps.db, table, scope.tenantId, id)
      return target ? render(scope, view(), target as Target) : null
    },
  }
}

/** A collection link whose items are `source` rows matching `where(row)`. */
export function collection<Row extends { id: string }, Item>(
  type: ResourceType,
  name: string,
  source: () => CollectionSource<Item>,
  where: (scope: Scope, row: Row) => ReturnType<typeof and>,
): LinkSpec<Row> {
  return {
    kind: 'collection',
    href: (scope, row) => scope.hrefs.of(type, row.id, name),
    list: (scope, row, query) =>
      listCollection(scope, scope.hrefs.of(type, row.id, name), source(), where(scope, row), query),
  }
}

/**
 * The caller's tenant: every resource a caller can see belongs to it. (Link builders are
 * function declarations: views in other modules call them while this module may still be
 * initialising, through the views' import cycle.)
 */
export function ownTenant<Row>(): LinkSpec<Row> {
  return {
    kind: 'link',
    href: (scope) => scope.hrefs.of('tenants', scope.tenantId),
    expand: async (scope) => {
      const tenant = await findTenantRow(scope)
      return tenant ? render(scope, tenantView, tenant) : null
    },
  }
}

async function findTenantRow(scope: Scope): Promise<TenantRow | undefined> {
  return scope.deps.db.select().from(tenants).where(eq(tenants.id, scope.tenantId)).get()
}

const id = (column: Parameters<typeof asc>[0]) => ({ column: column as never, kind: 'id' as const })

export const tenantView: View<TenantRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('tenants', row.id),
    name: row.name,
    key: row.nameKey,
    mandatoryMfa: row.mandatoryMfa,
    lockProfile: row.lockProfile,
    ...timestamps(row),
  }),
  links: {
    customData: customDataLink('tenants'),
    applications: collection(
      'tenants',
      'applications',
      () => applicationSource,
      (_, row) => eq(schema.applications.tenantId, row.id),
    ),
    directories: collection(
      'tenants',
      'directories',
      () => directorySource,
      (_, row) => eq(directories.tenantId, row.id),
    ),
    accounts: collection(
      'tenants',
      'accounts',
      () => accountSource,
      (_, row) => eq(accounts.tenantId, row.id),
    ),
    groups: collection(
      'tenants',
      'groups',
      () => groupSource,
      (_, row) => eq(groups.tenantId, row.id),
    ),
    organizations: collection(
      'tenants',
      'organizations',
      () => organizationSource,
      (_, row) => eq(schema.organizations.tenantId, row.id),
    ),
    outbox: tenantOutbox(),
  },
}

export const directoryView: View<DirectoryRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('directories', row.id),
    name: row.name,
    description: row.description,
    status: row.status,
    ...timestamps(row),
  }),
  links: {
    tenant: ownTenant(),
    provider: {
      kind: 'link',
      href: (scope, row) => scope.hrefs.of('directories', row.id, 'provider'),
      expand: (scope, row) => providerJson(scope, row),
    },
    customData: customDataLink('directories'),
    passwordPolicy: policyLink('passwordPolicies'),
    accountCreationPolicy: policyLink('accountCreationPolicies'),
    accountLockingPolicy: policyLink('accountLockingPolicies'),
    accounts: collection(
      'directories',
      'accounts',
      () => accountSource,
      (_, row) => eq(accounts.directoryId, row.id),
    ),
    groups: collection(
      'directories',
      'groups',
      () => groupSource,
      (_, row) => eq(groups.directoryId, row.id),
    ),
    applicationMappings: collection(
      'directories',
      'applicationMappings',
      () => mappingSource,
      (_, row) =>
        and(
          eq(accountStoreMappings.storeId, row.id),
          eq(accountStoreMappings.ownerType, 'application'),
        ),
    ),
    applications: collection(
      'directories',
      'applications',
      () => applicationSource,
      (_, row) =>
        inSubquery(schema.applications.id, ownersMapping(sql`select ${row.id}`, 'application')),
    ),
    organizationMappings: collection(
      'directories',
      'organizationMappings',
      () => mappingSource,
      (_, row) =>
        and(
          eq(accountStoreMappings.storeId, row.id),
          eq(accountStoreMappings.ownerType, 'organization'),
        ),
    ),
    organizations: collection(
      'directories',
      'organizations',
      () => organizationSource,
      (_, row) =>
        inSubquery(schema.organizations.id, ownersMapping(sql`select ${row.id}`, 'organization')),
    ),
  },
}

/** Policies are addressed by their directory's id (stormpath-api reference §2, rule 4). */
function policyLink(
  type: 'passwordPolicies' | 'accountCreationPolicies' | 'accountLockingPolicies',
): LinkSpec<DirectoryRow> {
  return {
    kind: 'link',
    href: (scope, row) => scope.hrefs.of(type, row.id),
    expand: async (scope, row) => {
      const { renderPolicy } = await import('./policies')
      return renderPolicy(scope, type, row.id)
    },
  }
}

export const accountView: View<AccountRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('accounts', row.id),
    username: row.username,
    email: row.email,
    givenName: row.givenName,
    middleName: row.middleName,
    surname: row.surname,
    fullName: fullNameOf(row),
    status: row.status,
    emailVerificationStatus: row.emailVerificationStatus,
    emailVerificationToken: null,
    passwordModifiedAt: row.passwordModifiedAt?.toISOString() ?? null,
    ...timestamps(row),
  }),
  links: {
    customData: customDataLink('accounts'),
    directory: linkTo(
      'directories',
      directories,
      (row: AccountRow) => row.directoryId,
      () => directoryView,
    ),
    tenant: ownTenant(),
    groups: collection(
      'accounts',
      'groups',
      () => groupSource,
      (_, row) =>
        inSubquery(
          groups.id,
          sql`select group_id from group_memberships where account_id = ${row.id}`,
        ),
    ),
    groupMemberships: collection(
      'accounts',
      'groupMemberships',
      () => membershipSource,
      (_, row) => eq(groupMemberships.accountId, row.id),
    ),
    applications: collection(
      'accounts',
      'applications',
      () => applicationSource,
      (_, row) =>
        inSubquery(
          schema.applications.id,
          ownersMapping(
            sql`select ${row.directoryId} union select group_id from group_memberships where account_id = ${row.id}`,
            'application',
          ),
        ),
    ),
    apiKeys: collection(
      'accounts',
      'apiKeys',
      () => apiKeySource,
      (_, row) => eq(apiKeys.accountId, row.id),
    ),
    factors: collection(
      'accounts',
      'factors',
      () => factorSource,
      (_, row) =>
        and(eq(schema.mfaFactors.tenantId, row.tenantId), eq(schema.mfaFactors.accountId, row.id)),
    ),
  },
}

export const groupView: View<GroupRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('groups', row.id),
    name: row.name,
    description: row.description,
    status: row.status,
    ...timestamps(row),
  }),
  links: {
    customData: customDataLink('groups'),
    directory: linkTo(
      'directories',
      directories,
      (row: GroupRow) => row.directoryId,
      () => directoryView,
    ),
    tenant: ownTenant(),
    accounts: collection(
      'groups',
      'accounts',
      () => accountSource,
      (_, row) =>
        inSubquery(
          accounts.id,
          sql`select account_id from group_memberships where group_id = ${row.id}`,
        ),
    ),
    accountMemberships: collection(
      'groups',
      'accountMemberships',
      () => membershipSource,
      (_, row) => eq(groupMemberships.groupId, row.id),
    ),
    applications: collection(
      'groups',
      'applications',
      () => applicationSource,
      (_, row) =>
        inSubquery(schema.applications.id, ownersMapping(sql`select ${row.id}`, 'application')),
    ),
  },
}

export const membershipView: View<MembershipRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('groupMemberships', row.id),
    ...timestamps(row),
  }),
  links: {
    account: linkTo(
      'accounts',
      accounts,
      (row: MembershipRow) => row.accountId,
      () => accountView,
    ),
    group: linkTo(
      'groups',
      groups,
      (row: MembershipRow) => row.groupId,
      () => groupView,
    ),
  },
}

/**
 * API keys: the secret is added by the route (in clear, or encrypted for the SDK), never by the
 * view, so no listing or expansion can leak it by accident.
 */
export const apiKeyView: View<ApiKeyRow> = {
  attributes: (scope, row) => ({
    href: scope.hrefs.of('apiKeys', row.id),
    id: row.id,
    status: row.status,
    name: row.name,
    description: row.description,
    ...timestamps(row),
  }),
  links: {
    account: linkTo(
      'accounts',
      accounts,
      (row: ApiKeyRow) => row.accountId,
      () => accountView,
    ),
    tenant: ownTenant(),
  },
}

export const directorySource: CollectionSource<DirectoryRow> = {
  table: directories,
  view: directoryView,
  spec: namedResourceSpec(directories),
}

export const accountSource: CollectionSource<AccountRow> = {
  table: accounts,
  view: accountView,
  spec: {
    searchable: {
      ...commonSearchable(accounts),
      givenName: searchable('text', accounts.givenName),
      middleName: searchable('text', accounts.middleName),
      surname: searchable('text', accounts.surname),
      username: searchable('text', accounts.username),
      email: searchable('folded', accounts.email),
      status: searchable('status', accounts.status),
      passwordModifiedAt: searchable('date', accounts.passwordModifiedAt),
    },
    sortable: {
      givenName: accounts.givenName,
      middleName: accounts.middleName,
      surname: accounts.surname,
      username: accounts.username,
      email: accounts.email,
      status: accounts.status,
      createdAt: accounts.createdAt,
      modifiedAt: accounts.modifiedAt,
      passwordModifiedAt: accounts.passwordModifiedAt,
    },
    customData: accounts.customData,
    defaultOrder: [asc(accounts.createdAt), asc(accounts.id)],
  },
}

export const groupSource: CollectionSource<GroupRow> = {
  table: groups,
  view: groupView,
  spec: namedResourceSpec(groups),
}

export const membershipSource: CollectionSource<MembershipRow> = {
  table: groupMemberships,
  view: membershipView,
  spec: {
    searchable: commonSearchable(groupMemberships),
    sortable: { createdAt: groupMemberships.createdAt },
    defaultOrder: [asc(groupMemberships.createdAt), asc(groupMemberships.id)],
  },
}

export const apiKeySource: CollectionSource<ApiKeyRow> = {
  table: apiKeys,
  view: apiKeyView,
  spec: {
    searchable: {
      ...commonSearchable(apiKeys),
      name: searchable('text', apiKeys.name),
      description: searchable('text', apiKeys.description),
      status: searchable('status', apiKeys.status),
    },
    sortable: { name: apiKeys.name, status: apiKeys.status, createdAt: apiKeys.createdAt },
    defaultOrder: [asc(apiKeys.createdAt), asc(apiKeys.id)],
  },
}
