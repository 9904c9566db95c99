/**
 * The in-memory tree the server answers from: per tenant, the admin's view of every served
 * entry and one view per application with an LDAP secret (only what its account stores reach:
 * the rest does not exist for it). Built from rows by pure functions; `load.ts` reads the rows
 * and rebuilds a tenant when its revision moves.
 */
import type { Cidr } from '../../src/security/cidr'
import { escapeDnValue, groupEntry, userEntry, type LdapEntry, type LdapUser } from './entries'
import { formatNormalized, parentOf, parseDn } from './dn'
import { matchValue, type MatchAttributes } from './filter'

export type EntryKind = 'container' | 'user' | 'group'

/** An entry as served: its DN, attributes in serving order, and their values for matching. */
export interface Entry {
  dn: string
  /** The normalised DN, the key of every lookup. */
  key: string
  parent: string
  kind: EntryKind
  /** The account's or group's id; '' for containers. */
  id: string
  attributes: readonly (readonly [string, readonly string[]])[]
  match: MatchAttributes
  hasChildren: boolean
  /** The encoded SearchResultEntry body with every attribute, made on first use. */
  body?: Uint8Array
}

/** Attributes with an equality index (the lookups clients make: login names, membership). */
export const INDEXED = new Set([
  'cn',
  'uid',
  'mail',
  'username',
  'samaccountname',
  'memberuid',
  'member',
  'memberof',
])

/** What one bind identity can see. */
export interface View {
  /** In tree order: the suffix, `ou=users`, the users, `ou=groups`, the groups. */
  entries: Entry[]
  byKey: Map<string, Entry>
  index: Map<string, Map<string, Entry[]>>
  /** The suffix and the `ou=` entries. */
  containers: Entry[]
}

export interface TenantTree {
  tenantId: string
  suffix: string
  /** The normalised suffix. */
  suffixKey: string
  allowlist: Cidr[]
  adminSecretHash: string | null
  admin: View
  apps: Map<string, { secretHash: string; view: View }>
  revision: number
}

/** The rows a tenant's tree is built from (served accounts and groups only). */
export interface TreeSource {
  tenantId: string
  suffix: string
  allowlist: Cidr[]
  adminSecretHash: string | null
  revision: number
  accounts: (LdapUser & { groupIds: string[] })[]
  groups: { id: string; name: string; memberIds: string[] }[]
  apps: { id: string; secretHash: string; accountIds: Set<string>; groupIds: Set<string> }[]
}

/** Builds an entry from its served form. */
export function makeEntry(kind: EntryKind, id: string, entry: LdapEntry): Entry {
  const rdns = parseDn(entry.dn) ?? []
  const key = formatNormalized(rdns)
  const match: Record<string, string[]> = {}
  for (const [name, values] of Object.entries(entry.attributes)) {
    match[name] = values.map((value) => matchValue(name, value))
  }
  return {
    dn: entry.dn,
    key,
    parent: parentOf(key),
    kind,
    id,
    attributes: Object.entries(entry.attributes),
    match,
    hasChildren: kind === 'container',
  }
}

function containers(suffix: string): Entry[] {
  const rdns = parseDn(suffix) ?? []
  const top = rdns[0]?.[0] ?? { type: 'dc', value: '' }
  const objectClass = { dc: 'domain', o: 'organization', ou: 'organizationalunit' }[top.type]
  const root = makeEntry('container', '', {
    dn: suffix,
    attributes: { objectclass: ['top', objectClass ?? 'domain'], [top.type]: [top.value] },
  })
  const unit = (name: string) =>
    makeEntry('container', '', {
      dn: `ou=${name},${suffix}`,
      attributes: { objectclass: ['top', 'organizationalunit'], ou: [name] },
    })
  return [root, unit('users'), unit('groups')]
}

/**
 * Group DNs by group id. Names are unique within a directory but not across a tenant's
 * directories: the oldest keeps `cn={name}`, a later namesake is served as `cn={name} ({id})`.
 */
function groupNames(groups: TreeSource['groups']): Map<string, string> {
  const taken = new Set<string>()
  const names = new Map<string, string>()
  for (const group of groups) {
    const lower = group.name.toLowerCase()
    const name = taken.has(lower) ? `${group.name} (${group.id})` : group.name
    taken.add(lower)
    names.set(group.id, name)
  }
  return names
}

export function makeView(entries: Entry[]): View {
  const byKey = new Map<string, Entry>()
  const index = new Map<string, Map<string, Entry[]>>()
  for (const name of INDEXED) index.set(name, new Map())
  for (const entry of entries) {
    byKey.set(entry.key, entry)
    for (const name of INDEXED) {
      const values = entry.match[name]
      if (!values) continue
      const byValue = index.get(name)!
      for (const value of values) {
        const list = byValue.get(value)
        if (list) list.push(entry)
        else byValue.set(value, [entry])
      }
    }
  }
  return {
    entries,
    byKey,
    index,
    containers: entries.filter((entry) => entry.kind === 'container'),
  }
}

/**
 * A tenant's tree: the admin view, and a view per application. An application's view reuses
 * the admin's entry objects wherever filtering changes nothing (the usual case: an application
 * that maps the whole directory), so its memory cost is close to a list of references.
 */
export function buildTree(source: TreeSource): TenantTree {
  const names = groupNames(source.groups)
  const groupDnOf = (id: string) => names.get(id)!
  const users = new Map<string, Entry>()
  for (const account of source.accounts) {
    const groups = account.groupIds
      .filter((id) => names.has(id))
      .map((id) => ({ name: groupDnOf(id) }))
    users.set(account.id, makeEntry('user', account.id, userEntry(source.suffix, account, groups)))
  }
  const groups = new Map<string, Entry>()
  for (const group of source.groups) {
    const members = group.memberIds.filter((id) => users.has(id)).map((id) => ({ id }))
    groups.set(
      group.id,
      makeEntry(
        'group',
        group.id,
        groupEntry(source.suffix, { name: groupDnOf(group.id) }, members),
      ),
    )
  }
  const [root, usersUnit, groupsUnit] = containers(source.suffix)
  const admin = makeView([root!, usersUnit!, ...users.values(), groupsUnit!, ...groups.values()])

  const apps = new Map<string, { secretHash: string; view: View }>()
  for (const app of source.apps) {
    const visibleUsers: Entry[] = []
    for (const account of source.accounts) {
      if (!app.accountIds.has(account.id)) continue
      const all = users.get(account.id)!
      const groupIds = account.groupIds.filter((id) => names.has(id) && app.groupIds.has(id))
      visibleUsers.push(
        groupIds.length === account.groupIds.filter((id) => names.has(id)).length
          ? all
          : makeEntry(
              'user',
              account.id,
              userEntry(
                source.suffix,
                account,
                groupIds.map((id) => ({ name: groupDnOf(id) })),
              ),
            ),
      )
    }
    const visibleGroups: Entry[] = []
    for (const group of source.groups) {
      if (!app.groupIds.has(group.id)) continue
      const all = groups.get(group.id)!
      const members = group.memberIds.filter((id) => users.has(id))
      const visible = members.filter((id) => app.accountIds.has(id))
      visibleGroups.push(
        visible.length === members.length
          ? all
          : makeEntry(
              'group',
              group.id,
              groupEntry(
                source.suffix,
                { name: groupDnOf(group.id) },
                visible.map((id) => ({ id })),
              ),
            ),
      )
    }
    const view = makeView([root!, usersUnit!, ...visibleUsers, groupsUnit!, ...visibleGroups])
    apps.set(app.id, { secretHash: app.secretHash, view })
  }
  const suffixKey = root!.key
  return {
    tenantId: source.tenantId,
    suffix: source.suffix,
    suffixKey,
    allowlist: source.allowlist,
    adminSecretHash: source.adminSecretHash,
    admin,
    apps,
    revision: source.revision,
  }
}

/** The DN of the admin identity and of an application identity under a suffix. */
export const adminDn = (suffix: string) => `cn=admin,ou=system,${suffix}`
export const appDn = (suffix: string, applicationId: string) =>
  `cn=${escapeDnValue(applicationId)},ou=apps,${suffix}`

/** Every tenant's tree, found by the suffix a DN ends with. */
export class DirectoryIndex {
  private bySuffix = new Map<string, TenantTree>()
  private byTenant = new Map<string, TenantTree>()

  get trees(): TenantTree[] {
    return [...this.bySuffix.values()]
  }

  replace(trees: Iterable<TenantTree>): void {
    const list = [...trees]
    this.bySuffix = new Map(list.map((tree) => [tree.suffixKey, tree]))
    this.byTenant = new Map(list.map((tree) => [tree.tenantId, tree]))
  }

  /** A tenant's current tree: connections keep the tenant id, as trees are rebuilt. */
  treeOfTenant(tenantId: string): TenantTree | undefined {
    return this.byTenant.get(tenantId)
  }

  /** The tenant whose suffix `key` (a normalised DN) is, or is below. */
  treeOf(key: string): TenantTree | undefined {
    for (let candidate = key; candidate !== ''; candidate = parentOf(candidate)) {
      const tree = this.bySuffix.get(candidate)
      if (tree) return tree
    }
    return undefined
  }
}
