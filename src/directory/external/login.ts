/**
 * Logins of external accounts, whichever face they arrive through (login attempts, the hosted
 * OIDC login, the LDAP server's binds): the password is checked by binding to the external
 * server as the entry, never stored (LDAP reference §5.4). With `autoCreate`, an unknown user
 * whom the server accepts is created on the spot. A missing account (gone from the server at
 * the last sync) cannot log in, and a server that cannot be reached is a 503, not a wrong
 * password.
 */
import { and, eq, ne, or, sql } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import { EdgepassError } from '../../errors'
import type { AccountRow, DirectoryRow } from '../../store/rows'
import { accountsReachedBy } from '../../store/reach'
import { openBindPassword, providerOf, type ProviderRecord } from './providers'
import type { ExternalAuthOutcome, ExternalUser } from './source'
import { externalAccountRow } from './rows'
import { mapUser } from './sync'

export type ExternalCheck = 'accepted' | 'refused'

function unavailable(message: string): EdgepassError {
  return new EdgepassError(
    'unavailable',
    'The external directory cannot be reached. Try again later.',
    {
      developerMessage: message,
    },
  )
}

async function authenticate(
  deps: Deps,
  provider: ProviderRecord,
  login: string,
  password: string,
): Promise<ExternalAuthOutcome> {
  if (!deps.externalDirectories) {
    return { kind: 'unavailable', message: 'No external directory client in this runtime.' }
  }
  const connection = {
    settings: provider.settings,
    bindPassword: await openBindPassword(deps, provider),
  }
  return deps.externalDirectories.authenticate(connection, login, password)
}

/**
 * Checks an external account's password against its server. The entry found must still be the
 * account's (same stable id): a username that now names someone else is refused. The profile
 * is refreshed from the entry when it changed. Throws 503 when the server cannot answer.
 */
export async function checkExternalPassword(
  deps: Deps,
  account: AccountRow,
  password: string,
): Promise<ExternalCheck> {
  if (account.missingAt) return 'refused'
  const provider = await providerOf(deps, account.directoryId)
  if (!provider) return 'refused'
  const outcome = await authenticate(deps, provider, account.username, password)
  if (outcome.kind === 'unavailable') throw unavailable(outcome.message)
  if (outcome.kind !== 'accepted' || outcome.user.id !== account.externalId) return 'refused'
  await refreshProfile(deps, account, outcome.user)
  return 'accepted'
}

async function refreshProfile(deps: Deps, account: AccountRow, user: ExternalUser): Promise<void> {
  const mapped = mapUser(user)
  const changes: Partial<AccountRow> = {}
  if (mapped.email && mapped.email !== account.email) changes.email = mapped.email
  if (mapped.givenName !== account.givenName) changes.givenName = mapped.givenName
  if (mapped.surname !== account.surname) changes.surname = mapped.surname
  if (Object.keys(changes).length === 0) return
  // A clash with another account (the next sync will log it) leaves the profile as it was.
  await deps.db
    .update(schema.accounts)
    .set({ ...changes, modifiedAt: deps.now() })
    .where(eq(schema.accounts.id, account.id))
    .catch(() => {})
}

/**
 * Tries `login` against the external directories with `autoCreate` among `directoryIds` (in the
 * application's store order). The first that knows the login decides: accepted → the account
 * is created there and returned; refused → undefined (a wrong password). A local account of an
 * application the directory is mapped to with the same username or email is a conflict: no
 * account is created.
 */
export async function autoCreateExternalAccount(
  deps: Deps,
  directoryIds: readonly string[],
  login: string,
  password: string,
): Promise<AccountRow | undefined> {
  for (const directoryId of directoryIds) {
    const provider = await providerOf(deps, directoryId)
    if (!provider?.settings.autoCreate) continue
    const outcome = await authenticate(deps, provider, login, password)
    if (outcome.kind === 'no_entry') continue
    if (outcome.kind === 'unavailable') {
      deps.log.warn('external directory unavailable', { directoryId, error: outcome.message })
      continue
    }
    if (outcome.kind === 'refused') return undefined
    const directory = await deps.db
      .select()
      .from(schema.directories)
      .where(eq(schema.directories.id, directoryId))
      .get()
    if (!directory || directory.status !== 'ENABLED') return undefined
    return createFromEntry(deps, directory, outcome.user)
  }
  return undefined
}

async function createFromEntry(
  deps: Deps,
  directory: DirectoryRow,
  user: ExternalUser,
): Promise<AccountRow | undefined> {
  const mapped = mapUser(user)
  if (!mapped.externalId || !mapped.username || !mapped.email) return undefined
  if (await clashesWithLocalAccount(deps, directory, mapped)) {
    deps.log.warn('external account not created: conflict with a local account', {
      directoryId: directory.id,
      username: mapped.username,
    })
    return undefined
  }
  const { accounts } = schema
  const existing = await deps.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.directoryId, directory.id), eq(accounts.externalId, mapped.externalId)))
    .get()
  if (existing) return existing.missingAt ? undefined : existing
  const row = externalAccountRow(deps.newId(), directory, mapped, deps.now())
  try {
    await deps.db.insert(accounts).values(row)
  } catch {
    return undefined // another account of the directory has the name (a sync will log it)
  }
  return row
}

async function clashesWithLocalAccount(
  deps: Deps,
  directory: DirectoryRow,
  mapped: { username: string; email: string },
): Promise<boolean> {
  const { accounts, accountStoreMappings: m } = schema
  const owners = await deps.db
    .select({ ownerId: m.ownerId })
    .from(m)
    .where(and(eq(m.tenantId, directory.tenantId), eq(m.storeId, directory.id)))
    .all()
  for (const { ownerId } of owners) {
    const clash = await deps.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(
        and(
          accountsReachedBy(ownerId),
          ne(accounts.directoryId, directory.id),
          or(
            eq(accounts.email, mapped.email),
            sql`lower(${accounts.username}) = ${mapped.username}`,
          ),
        ),
      )
      .get()
    if (clash) return true
  }
  return false
}
