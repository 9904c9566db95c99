/**
 * One synchronisation of an external directory (LDAP reference §5.3): read every user entry
 * (and, with `syncGroups`, every group entry), then bring the directory's accounts and groups in
 * line — keyed by the entries' stable ids, never by name. Accounts are created and updated;
 * an entry that is gone marks its account missing (it stays, cannot log in, and its sessions
 * end); nothing is deleted. A failed search, or one that finds no user at all, changes nothing.
 * A local account with the same username or email in an application this directory is mapped
 * to is a conflict: logged on the run, the entry skipped.
 */
import { and, eq, getTableColumns, inArray, isNotNull, ne, sql } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import type { BatchStatement } from '../../store/db'
import { runBatch } from '../../store/db'
import { chunkForParameters } from '../../store/chunks'
import type { AccountRow, DirectoryRow, GroupRow } from '../../store/rows'
import { accountsReachedBy } from '../../store/reach'
import { openBindPassword, providerOf } from './providers'
import { externalAccountRow, externalGroupRow } from './rows'
import {
  ExternalDirectoryError,
  type ExternalDirectoryClient,
  type ExternalGroup,
  type ExternalUser,
} from './source'
import {
  finishRun,
  MAX_LOG_ENTRIES,
  reportProgress,
  type RunLogEntry,
  type RunProgress,
  type SyncRunRow,
} from './sync-runs'

/** Rows written per batch: progress is reported after each. */
const BATCH_ROWS = 500
/** The columns of an accounts row, each a bound parameter of an insert. */
const ACCOUNT_COLUMNS = Object.keys(getTableColumns(schema.accounts)).length

/** The account fields an entry decides. */
export interface MappedAccount {
  externalId: string
  username: string
  email: string
  givenName: string
  surname: string
}

/**
 * The account fields of a user entry: username and email lower-cased; names from their
 * attributes, or split from the display name when the entry has no given name.
 */
export function mapUser(user: ExternalUser): MappedAccount {
  let { givenName, surname } = user
  if (!givenName.trim() && user.displayName.trim()) {
    const words = user.displayName.trim().split(/\s+/)
    givenName = words[0]!
    if (!surname.trim()) surname = words.slice(1).join(' ')
  }
  return {
    externalId: user.id,
    username: user.username.trim().toLowerCase(),
    email: user.email.trim().toLowerCase(),
    givenName: givenName.trim().slice(0, 255),
    surname: surname.trim().slice(0, 255),
  }
}

/** Runs `run` to the end, recording its outcome; never throws for what the server did. */
export async function executeSyncRun(
  deps: Deps,
  client: ExternalDirectoryClient,
  run: SyncRunRow,
): Promise<void> {
  const log: RunLogEntry[] = []
  const progress: RunProgress = {}
  try {
    const directory = await deps.db
      .select()
      .from(schema.directories)
      .where(eq(schema.directories.id, run.directoryId))
      .get()
    const provider = directory && (await providerOf(deps, directory.id))
    if (!directory || !provider)
      throw new ExternalDirectoryError('The directory is no longer external.')
    const connection = {
      settings: provider.settings,
      bindPassword: await openBindPassword(deps, provider),
    }
    const users = await client.users(connection)
    if (users.length === 0) {
      // opnsense/core#10128: a sync that trusted an empty answer disabled every user.
      throw new ExternalDirectoryError('The search found no user entries: nothing was changed.')
    }
    const groups = provider.settings.syncGroups ? await client.groups(connection) : []
    await syncDirectory(deps, directory, users, groups, run.id, progress, log)
    await finishRun(deps, run.id, { state: 'succeeded', progress, log })
  } catch (error) {
    const message =
      error instanceof ExternalDirectoryError ? error.message : 'The sync failed unexpectedly.'
    if (!(error instanceof ExternalDirectoryError)) {
      deps.log.error('directory sync failed', { runId: run.id, error: (error as Error).message })
    }
    log.unshift({ kind: 'error', message })
    await finishRun(deps, run.id, { state: 'failed', progress, log })
  }
}

/** Applies the entries to the directory (`executeSyncRun` is the entry). */
async function syncDirectory(
  deps: Deps,
  directory: DirectoryRow,
  users: ExternalUser[],
  groups: ExternalGroup[],
  runId: string,
  progress: RunProgress,
  log: RunLogEntry[],
): Promise<void> {
  const note = (entry: RunLogEntry) => {
    if (log.length < MAX_LOG_ENTRIES) log.push(entry)
  }
  const { accounts } = schema
  const existing = await deps.db
    .select()
    .from(accounts)
    .where(eq(accounts.directoryId, directory.id))
    .all()
  const byExternalId = new Map(
    existing.filter((row) => row.externalId).map((row) => [row.externalId!, row]),
  )
  const taken = await localNamesInMappedApplications(deps, directory)
  const now = deps.now()

  Object.assign(progress, { total: users.length + groups.length, processed: 0, seen: users.length })
  Object.assign(progress, {
    created: 0,
    updated: 0,
    unchanged: 0,
    missing: 0,
    conflicts: 0,
    groups: 0,
  })
  await reportProgress(deps, runId, progress)

  const seenIds = new Set<string>()
  const accountIdByDn = new Map<string, string>()
  const usernames = new Map<string, string>()
  const emails = new Map<string, string>()
  for (const row of existing) {
    usernames.set(row.username.toLowerCase(), row.id)
    emails.set(row.email, row.id)
  }
  let statements: BatchStatement[] = []
  let newRows: AccountRow[] = []
  const flush = async (processed: number) => {
    // New accounts go in multi-row inserts, as many rows as D1's 100 parameters allow.
    for (const chunk of chunkForParameters(newRows, ACCOUNT_COLUMNS)) {
      statements.push(deps.db.insert(accounts).values(chunk))
    }
    if (statements.length > 0) await runBatch(deps.db, statements)
    statements = []
    newRows = []
    progress.processed = processed
    await reportProgress(deps, runId, progress)
  }

  for (const [index, user] of users.entries()) {
    const mapped = mapUser(user)
    const problem = !mapped.externalId
      ? 'no stable id attribute'
      : !mapped.username
        ? 'no username attribute'
        : !mapped.email
          ? 'no mail attribute'
          : seenIds.has(mapped.externalId)
            ? 'the same stable id as another entry'
            : undefined
    if (problem) {
      note({ kind: 'skipped', message: `Skipped: ${problem}.`, entry: user.dn })
    } else {
      seenIds.add(mapped.externalId)
      const current = byExternalId.get(mapped.externalId)
      const clash = nameClash(mapped, current?.id, taken, usernames, emails)
      if (clash) {
        progress.conflicts!++
        note({ kind: 'conflict', message: clash, entry: user.dn })
      } else if (!current) {
        const id = deps.newId()
        newRows.push(externalAccountRow(id, directory, mapped, now))
        usernames.set(mapped.username, id)
        emails.set(mapped.email, id)
        accountIdByDn.set(dnKey(user.dn), id)
        progress.created!++
      } else {
        accountIdByDn.set(dnKey(user.dn), current.id)
        const changes = changesOf(current, mapped)
        if (changes) {
          statements.push(
            deps.db
              .update(accounts)
              .set({ ...changes, modifiedAt: now, version: sql`${accounts.version} + 1` })
              .where(eq(accounts.id, current.id)),
          )
          usernames.delete(current.username.toLowerCase())
          usernames.set(mapped.username, current.id)
          emails.delete(current.email)
          emails.set(mapped.email, current.id)
          progress.updated!++
        } else progress.unchanged!++
      }
    }
    if (statements.length + newRows.length >= BATCH_ROWS) await flush(index + 1)
  }
  await flush(users.length)

  // Entries that are gone: their accounts stay (nothing is deleted), marked missing, signed out.
  const gone = existing.filter(
    (row) => row.externalId && !seenIds.has(row.externalId) && !row.missingAt,
  )
  for (const chunk of chunkForParameters(gone, 1, 2)) {
    const ids = chunk.map((row) => row.id)
    await runBatch(deps.db, [
      deps.db
        .update(accounts)
        .set({ missingAt: now, modifiedAt: now })
        .where(inArray(accounts.id, ids)),
      deps.db.delete(schema.apiSessions).where(inArray(schema.apiSessions.accountId, ids)),
      deps.db.delete(schema.oidcSessions).where(inArray(schema.oidcSessions.accountId, ids)),
      deps.db.delete(schema.oidcTokens).where(inArray(schema.oidcTokens.accountId, ids)),
    ])
  }
  progress.missing = gone.length
  if (groups.length > 0) await syncGroups(deps, directory, groups, accountIdByDn, progress, note)
  progress.processed = users.length + groups.length
}

/** A DN as a lookup key (member values may differ from entry DNs in case and spacing). */
function dnKey(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((part) => part.trim().toLowerCase())
    .join(',')
}

/** The fields to write when the entry changed (and a missing account that is back). */
function changesOf(current: AccountRow, mapped: MappedAccount): Partial<AccountRow> | undefined {
  const changes: Partial<AccountRow> = {}
  if (current.username !== mapped.username) changes.username = mapped.username
  if (current.email !== mapped.email) changes.email = mapped.email
  if (current.givenName !== mapped.givenName) changes.givenName = mapped.givenName
  if (current.surname !== mapped.surname) changes.surname = mapped.surname
  if (current.missingAt) changes.missingAt = null
  return Object.keys(changes).length > 0 ? changes : undefined
}

/**
 * Why `mapped` cannot be written: a local account of an application this directory serves
 * already has its username or email (logins would become ambiguous), or another entry of this
 * directory has it.
 */
function nameClash(
  mapped: MappedAccount,
  ownId: string | undefined,
  taken: { usernames: Set<string>; emails: Set<string> },
  usernames: Map<string, string>,
  emails: Map<string, string>,
): string | undefined {
  if (taken.usernames.has(mapped.username)) {
    return `A local account of a mapped application already has the username ${mapped.username}.`
  }
  if (taken.emails.has(mapped.email)) {
    return `A local account of a mapped application already has the email ${mapped.email}.`
  }
  const byName = usernames.get(mapped.username)
  if (byName && byName !== ownId)
    return `Another entry already has the username ${mapped.username}.`
  const byMail = emails.get(mapped.email)
  if (byMail && byMail !== ownId) return `Another entry already has the email ${mapped.email}.`
  return undefined
}

/** Usernames and emails of the other accounts the applications mapping this directory reach. */
async function localNamesInMappedApplications(
  deps: Deps,
  directory: DirectoryRow,
): Promise<{ usernames: Set<string>; emails: Set<string> }> {
  const { accounts, accountStoreMappings: m } = schema
  const owners = await deps.db
    .select({ ownerId: m.ownerId })
    .from(m)
    .where(and(eq(m.tenantId, directory.tenantId), eq(m.storeId, directory.id)))
    .all()
  const usernames = new Set<string>()
  const emails = new Set<string>()
  for (const { ownerId } of owners) {
    const rows = await deps.db
      .select({ username: accounts.username, email: accounts.email })
      .from(accounts)
      .where(and(accountsReachedBy(ownerId), ne(accounts.directoryId, directory.id)))
      .all()
    for (const row of rows) {
      usernames.add(row.username.toLowerCase())
      emails.add(row.email)
    }
  }
  return { usernames, emails }
}

/**
 * External groups: created and renamed by stable id, their membership set to the members the
 * server lists that are this directory's accounts. Groups gone from the server are kept (seed
 * 001: "Groups are not deleted").
 */
async function syncGroups(
  deps: Deps,
  directory: DirectoryRow,
  entries: ExternalGroup[],
  accountIdByDn: Map<string, string>,
  progress: RunProgress,
  note: (entry: RunLogEntry) => void,
): Promise<void> {
  const { groups, groupMemberships } = schema
  const existing = await deps.db
    .select()
    .from(groups)
    .where(and(eq(groups.directoryId, directory.id), isNotNull(groups.externalId)))
    .all()
  const byExternalId = new Map(existing.map((row) => [row.externalId!, row]))
  const names = new Set(
    (
      await deps.db
        .select({ name: groups.name })
        .from(groups)
        .where(eq(groups.directoryId, directory.id))
        .all()
    ).map((row) => row.name.toLowerCase()),
  )
  const now = deps.now()
  for (const entry of entries) {
    const name = entry.name.trim()
    if (!name) {
      note({ kind: 'skipped', message: 'Skipped group: no name attribute.', entry: entry.dn })
      continue
    }
    let group: GroupRow | undefined = byExternalId.get(entry.id)
    if (!group) {
      if (names.has(name.toLowerCase())) {
        progress.conflicts!++
        note({
          kind: 'conflict',
          message: `A group named ${name} already exists in the directory.`,
          entry: entry.dn,
        })
        continue
      }
      group = externalGroupRow(deps.newId(), directory, name, entry.id, now)
      await deps.db.insert(groups).values(group)
      names.add(name.toLowerCase())
    } else if (group.name !== name && !names.has(name.toLowerCase())) {
      await deps.db.update(groups).set({ name, modifiedAt: now }).where(eq(groups.id, group.id))
      names.add(name.toLowerCase())
    }
    progress.groups!++
    const wanted = new Set(
      entry.memberDns
        .map((dn) => accountIdByDn.get(dnKey(dn)))
        .filter((id): id is string => id !== undefined),
    )
    const current = await deps.db
      .select({ id: groupMemberships.id, accountId: groupMemberships.accountId })
      .from(groupMemberships)
      .where(eq(groupMemberships.groupId, group.id))
      .all()
    const have = new Set(current.map((row) => row.accountId))
    const removed = current.filter((row) => !wanted.has(row.accountId)).map((row) => row.id)
    const added = [...wanted].filter((id) => !have.has(id))
    const statements: BatchStatement[] = []
    for (const chunk of chunkForParameters(removed, 1)) {
      statements.push(deps.db.delete(groupMemberships).where(inArray(groupMemberships.id, chunk)))
    }
    for (const chunk of chunkForParameters(added, 6)) {
      statements.push(
        deps.db.insert(groupMemberships).values(
          chunk.map((accountId) => ({
            id: deps.newId(),
            tenantId: directory.tenantId,
            accountId,
            groupId: group!.id,
            createdAt: now,
            modifiedAt: now,
          })),
        ),
      )
    }
    if (statements.length > 0) await runBatch(deps.db, statements)
  }
}
