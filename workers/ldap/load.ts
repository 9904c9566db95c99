/**
 * Keeps the {@link DirectoryIndex} current: reads each LDAP-enabled tenant's accounts, groups
 * and application reach once, then polls `directory_revisions` (one small table, bumped by
 * triggers on every change that can alter the tree) and rebuilds only the tenants whose
 * revision moved. The revision is read before the rows, so a write that lands during a rebuild
 * moves it again and the next poll catches it.
 */
import { and, eq, isNull, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { parseCidr, type Cidr } from '../../src/security/cidr'
import type { Database } from '../../src/store/db'
import { accountsReachedBy, groupsReachedBy } from '../../src/store/reach'
import { buildTree, DirectoryIndex, type TenantTree, type TreeSource } from './directory'

/** The tenants serving LDAP and their revisions, in one read. */
async function enabledTenants(db: Database): Promise<
  {
    tenantId: string
    suffix: string
    allowlist: string
    adminSecretHash: string | null
    revision: number
  }[]
> {
  const { ldapSettings: l, directoryRevisions: r } = schema
  return db
    .select({
      tenantId: l.tenantId,
      suffix: l.suffix,
      allowlist: l.allowlist,
      adminSecretHash: l.adminSecretHash,
      revision: sql<number>`coalesce(${r.revision}, 0)`,
    })
    .from(l)
    .leftJoin(r, eq(r.tenantId, l.tenantId))
    .where(eq(l.enabled, true))
    .all()
}

function parseAllowlist(json: string): Cidr[] {
  const blocks: unknown = JSON.parse(json)
  if (!Array.isArray(blocks)) return []
  return blocks.flatMap((block) => {
    const cidr = typeof block === 'string' ? parseCidr(block) : undefined
    return cidr ? [cidr] : []
  })
}

/** Reads the rows of one tenant's tree: enabled accounts and groups of enabled directories. */
export async function readTreeSource(
  db: Database,
  settings: {
    tenantId: string
    suffix: string
    allowlist: string
    adminSecretHash: string | null
    revision: number
  },
): Promise<TreeSource> {
  const { accounts, directories, groups, groupMemberships, ldapAppSecrets, applications } = schema
  const { tenantId } = settings
  const enabledDirectory = and(
    eq(directories.tenantId, tenantId),
    eq(directories.status, 'ENABLED'),
  )
  const accountRows = await db
    .select({
      id: accounts.id,
      username: accounts.username,
      email: accounts.email,
      givenName: accounts.givenName,
      middleName: accounts.middleName,
      surname: accounts.surname,
    })
    .from(accounts)
    .innerJoin(directories, eq(directories.id, accounts.directoryId))
    .where(
      and(
        eq(accounts.tenantId, tenantId),
        eq(accounts.status, 'ENABLED'),
        isNull(accounts.missingAt),
        enabledDirectory,
      ),
    )
    .orderBy(accounts.createdAt, sql`${accounts}.rowid`)
    .all()
  const groupRows = await db
    .select({ id: groups.id, name: groups.name })
    .from(groups)
    .innerJoin(directories, eq(directories.id, groups.directoryId))
    .where(and(eq(groups.tenantId, tenantId), eq(groups.status, 'ENABLED'), enabledDirectory))
    .orderBy(groups.createdAt, sql`${groups}.rowid`)
    .all()
  const memberships = await db
    .select({ accountId: groupMemberships.accountId, groupId: groupMemberships.groupId })
    .from(groupMemberships)
    .where(eq(groupMemberships.tenantId, tenantId))
    .all()
  const appRows = await db
    .select({ id: ldapAppSecrets.applicationId, secretHash: ldapAppSecrets.secretHash })
    .from(ldapAppSecrets)
    .innerJoin(applications, eq(applications.id, ldapAppSecrets.applicationId))
    .where(and(eq(ldapAppSecrets.tenantId, tenantId), eq(applications.status, 'ENABLED')))
    .all()

  const groupIdsOf = new Map<string, string[]>()
  const memberIdsOf = new Map<string, string[]>()
  for (const { accountId, groupId } of memberships) {
    push(groupIdsOf, accountId, groupId)
    push(memberIdsOf, groupId, accountId)
  }
  const apps: TreeSource['apps'] = []
  for (const app of appRows) {
    // The same SQL that answers `/v1/applications/{id}/accounts`: one definition of "reach".
    const reached = await db
      .select({ id: accounts.id })
      .from(accounts)
      .where(accountsReachedBy(app.id))
      .all()
    const reachedGroups = await db
      .select({ id: groups.id })
      .from(groups)
      .where(groupsReachedBy(app.id))
      .all()
    apps.push({
      ...app,
      accountIds: new Set(reached.map((row) => row.id)),
      groupIds: new Set(reachedGroups.map((row) => row.id)),
    })
  }
  return {
    tenantId,
    suffix: settings.suffix,
    allowlist: parseAllowlist(settings.allowlist),
    adminSecretHash: settings.adminSecretHash,
    revision: settings.revision,
    accounts: accountRows
      .filter((row) => row.username !== '') // Cloudron: some apps break on empty usernames
      .map((row) => ({
        id: row.id,
        username: row.username,
        email: row.email,
        givenName: row.givenName,
        surname: row.surname,
        fullName: [row.givenName, row.middleName, row.surname]
          .filter((part) => part.trim())
          .join(' '),
        groupIds: groupIdsOf.get(row.id) ?? [],
      })),
    groups: groupRows.map((row) => ({ ...row, memberIds: memberIdsOf.get(row.id) ?? [] })),
    apps,
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

export interface DirectoryWatch {
  index: DirectoryIndex
  /** Brings the index up to date now (also what each poll does). */
  refresh(): Promise<void>
  stop(): void
}

/**
 * Loads every enabled tenant, then polls every `intervalMs` (default 500 ms, so a change shows
 * within a second or so). A failed poll is logged and retried at the next tick; the index keeps
 * serving what it had.
 */
export async function watchDirectory(
  db: Database,
  options: { intervalMs?: number; onError?: (error: unknown) => void } = {},
): Promise<DirectoryWatch> {
  const index = new DirectoryIndex()
  let trees = new Map<string, TenantTree>()
  let running: Promise<void> | undefined

  const refreshOnce = async () => {
    const tenants = await enabledTenants(db)
    const next = new Map<string, TenantTree>()
    let changed = tenants.length !== trees.size
    for (const settings of tenants) {
      const current = trees.get(settings.tenantId)
      if (current && current.revision === settings.revision) {
        next.set(settings.tenantId, current)
        continue
      }
      next.set(settings.tenantId, buildTree(await readTreeSource(db, settings)))
      changed = true
    }
    if (changed) {
      trees = next
      index.replace(trees.values())
    }
  }
  const refresh = () => {
    running ??= refreshOnce().finally(() => {
      running = undefined
    })
    return running
  }

  await refresh()
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = () => {
    timer = setTimeout(async () => {
      await refresh().catch((error: unknown) => options.onError?.(error))
      if (!stopped) tick()
    }, options.intervalMs ?? 500)
  }
  tick()
  return {
    index,
    refresh,
    stop: () => {
      stopped = true
      clearTimeout(timer)
    },
  }
}
