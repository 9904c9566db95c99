import { and, asc, eq, or, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError, type ErrorCode } from '../errors'
import type { AccountRow, ApplicationRow, MappingRow, PoliciesRow, TenantRow } from '../store/rows'
import { composeMail } from '../mail/compose'
import { queueMailWhen } from '../mail/outbox'
import { isMailEnabled } from '../mail/templates'
import { runBatch } from '../store/db'
import { loadPolicies } from './accounts'
import { autoCreateExternalAccount, checkExternalPassword } from './external/login'

/** Which stores a login attempt may search: all mapped ones, one by href, or one organization. */
export type StoreSelector =
  | { kind: 'all' }
  | { kind: 'store'; type: 'directory' | 'group' | 'organization'; id: string }
  | { kind: 'organization'; nameKey: string }

export type LoginOutcome =
  | { kind: 'authenticated'; account: AccountRow }
  | { kind: 'refused'; code: LoginRefusal; lockedUntil?: Date }

export type LoginRefusal = Extract<ErrorCode, `login_${string}`>

const MESSAGES: Record<LoginRefusal, string> = {
  login_wrong_password: 'Invalid username or password.',
  login_account_disabled: 'The account is disabled.',
  login_account_unverified: 'The account has not been verified yet.',
  login_account_locked: 'The account is locked after too many failed attempts. Try again later.',
  login_no_account: 'Invalid username or password.',
  login_group_disabled: 'The account is in a disabled group.',
  login_directory_disabled: "The account's directory is disabled.",
  login_organization_disabled: "The account's organization is disabled.",
}

/** A matched account and what stands between the application and it. */
export interface Match {
  account: AccountRow
  disabledOnPath: LoginRefusal | undefined
}

/**
 * The form of a login name that lookups and per-login rate limits share: trimmed and lower-case,
 * so `" Alice"` and `"ALICE"` count against the same limit as `"alice"`.
 */
export function normaliseLogin(login: string): string {
  return login.trim().toLowerCase()
}

/**
 * Authenticates `login` (username or email, case-insensitive) and `password` through an
 * application's account stores (stormpath-api reference §11.1): stores are walked in `listIndex`
 * order and the first store holding the login decides. The password is checked before anything
 * about the account is revealed, and an unknown login costs the same hash as a known one, so
 * neither the answers nor their timing tell which logins exist.
 */
export async function attemptLogin(
  deps: Deps,
  tenant: TenantRow,
  application: ApplicationRow,
  login: string,
  password: string,
  selector: StoreSelector,
): Promise<LoginOutcome> {
  if (application.status !== 'ENABLED') {
    throw new EdgepassError('reference_unusable', 'The application is disabled.', {
      field: 'application',
    })
  }
  let match = await findAccountByLogin(deps, application, login.trim(), selector)
  // An unknown login may be an external directory's user, created at first login (autoCreate);
  // the server has then accepted the password.
  let verified = false
  if (!match) {
    const stores = await directoryStoresOf(deps, application, selector)
    const created = await autoCreateExternalAccount(deps, stores, login.trim(), password)
    if (created) [match, verified] = [{ account: created, disabledOnPath: undefined }, true]
  }
  if (!match || (!match.account.passwordHash && !match.account.externalId)) {
    await deps.passwords.verifyDummy(password)
    // Answered exactly as a wrong password (7100, same message): a distinct 7104 would tell an
    // attacker which logins exist, undoing the dummy hash above. Generic mode answers 7104.
    return refuse(tenant, 'login_wrong_password')
  }
  const { account } = match
  const policies = await loadPolicies(deps, account.directoryId)
  const now = deps.now()
  if (!verified && !(await passwordMatches(deps, account, password))) {
    await recordFailure(deps, account, policies, now)
    return refuse(tenant, 'login_wrong_password')
  }
  if (account.status === 'DISABLED') return refuse(tenant, 'login_account_disabled')
  if (account.status === 'UNVERIFIED') return refuse(tenant, 'login_account_unverified')
  const lockedUntil = lockExpiry(account, policies)
  if (lockedUntil && now < lockedUntil) return refuse(tenant, 'login_account_locked', lockedUntil)
  if (match.disabledOnPath) return refuse(tenant, match.disabledOnPath)
  await recordSuccess(deps, account, password)
  return { kind: 'authenticated', account }
}

/**
 * Checks a password: against the stored hash, or, for an external directory's account, by
 * binding to its server (which throws 503 when the server cannot answer).
 */
export async function passwordMatches(
  deps: Deps,
  account: AccountRow,
  password: string,
): Promise<boolean> {
  if (account.externalId)
    return (await checkExternalPassword(deps, account, password)) === 'accepted'
  return account.passwordHash !== null && deps.passwords.verify(password, account.passwordHash)
}

/** The directories an attempt may reach (directly mapped, or through a mapped organization). */
async function directoryStoresOf(
  deps: Deps,
  application: ApplicationRow,
  selector: StoreSelector,
): Promise<string[]> {
  const selected = await selectStores(
    deps,
    application,
    await mappingsOf(deps, application.id),
    selector,
  )
  const ids: string[] = []
  for (const mapping of selected) {
    if (mapping.storeType === 'directory') ids.push(mapping.storeId)
    if (mapping.storeType !== 'organization') continue
    for (const inner of await mappingsOf(deps, mapping.storeId)) {
      if (inner.storeType === 'directory') ids.push(inner.storeId)
    }
  }
  return ids
}

/** Turns a refusal into the error the REST face answers with (400/71xx). */
export function loginError(code: LoginRefusal): EdgepassError {
  return new EdgepassError(code, MESSAGES[code])
}

function refuse(tenant: TenantRow, code: LoginRefusal, lockedUntil?: Date): LoginOutcome {
  // Per-tenant "generic login errors": one answer for every failure (Cloudpass's behaviour).
  if (tenant.genericLoginErrors) return { kind: 'refused', code: 'login_no_account' }
  return { kind: 'refused', code, lockedUntil }
}

/** When the account's lock ends, if its failed attempts locked it (it may have ended already). */
export function lockExpiry(account: AccountRow, policies: PoliciesRow): Date | undefined {
  if (policies.maxFailedLoginAttempts <= 0 || !account.lastLoginAttemptAt) return undefined
  if (account.failedLoginAttempts < policies.maxFailedLoginAttempts) return undefined
  return new Date(account.lastLoginAttemptAt.getTime() + policies.accountLockDurationSeconds * 1000)
}

/**
 * Counts a failure in one statement (concurrent failures all count). The counter restarts once
 * a lock window has passed, so one typo after a lock expires does not lock again at once
 * (Cloudpass defect 19). The failure that reaches the limit queues the account-locked mail in
 * the same batch, decided by the database so that concurrent failures send it once.
 */
export async function recordFailure(
  deps: Deps,
  account: AccountRow,
  policies: PoliciesRow,
  now: Date,
): Promise<void> {
  const windowStart = now.getTime() - policies.accountLockDurationSeconds * 1000
  const { accounts } = schema
  const count = deps.db
    .update(accounts)
    .set({
      failedLoginAttempts: sql`case when ${accounts.lastLoginAttemptAt} is null or ${accounts.lastLoginAttemptAt} < ${windowStart} then 1 else ${accounts.failedLoginAttempts} + 1 end`,
      lastLoginAttemptAt: now,
    })
    .where(eq(accounts.id, account.id))
  const lockMail =
    policies.maxFailedLoginAttempts > 0 && isMailEnabled(policies, 'accountLocked')
      ? await queueMailWhen(
          deps,
          await composeMail(deps, { workflow: 'accountLocked', account, policies }),
          sql`exists (select 1 from ${accounts} where ${accounts.id} = ${account.id} and ${accounts.failedLoginAttempts} = ${policies.maxFailedLoginAttempts})`,
        )
      : []
  await runBatch(deps.db, [count, ...lockMail])
}

/** Resets the failure counter and upgrades an imported or outdated hash to argon2id. */
export async function recordSuccess(
  deps: Deps,
  account: AccountRow,
  password: string,
): Promise<void> {
  const rehash = deps.passwords.needsRehash(account.passwordHash!)
  const changes: Partial<AccountRow> = { failedLoginAttempts: 0, lastLoginAttemptAt: deps.now() }
  if (rehash) changes.passwordHash = await deps.passwords.hash(password)
  if (account.failedLoginAttempts === 0 && !rehash) return
  await deps.db.update(schema.accounts).set(changes).where(eq(schema.accounts.id, account.id))
}

/**
 * The account `login` (username or email) names through an application's stores, walked in
 * `listIndex` order, with what disables it on the way; undefined when no store holds it.
 */
export async function findAccountByLogin(
  deps: Deps,
  application: ApplicationRow,
  login: string,
  selector: StoreSelector,
): Promise<Match | undefined> {
  const mappings = await mappingsOf(deps, application.id)
  if (mappings.length === 0) {
    throw new EdgepassError('no_account_stores', 'The application has no account stores.')
  }
  const selected = await selectStores(deps, application, mappings, selector)
  for (const mapping of selected) {
    const match = await findInStore(deps, mapping, login, {
      selected: selector.kind !== 'all',
      organizationDisabled: false,
    })
    if (match) return match
  }
  return undefined
}

async function selectStores(
  deps: Deps,
  application: ApplicationRow,
  mappings: MappingRow[],
  selector: StoreSelector,
): Promise<MappingRow[]> {
  if (selector.kind === 'all') return mappings
  let store: { type: MappingRow['storeType']; id: string | undefined }
  if (selector.kind === 'store') store = selector
  else {
    const organization = await deps.db
      .select({ id: schema.organizations.id })
      .from(schema.organizations)
      .where(
        and(
          eq(schema.organizations.tenantId, application.tenantId),
          eq(schema.organizations.nameKey, selector.nameKey.toLowerCase()),
        ),
      )
      .get()
    store = { type: 'organization', id: organization?.id }
  }
  // The href's type must match too: `/directories/{id of a mapped group}` names no mapped store.
  const chosen = mappings.filter(
    (mapping) => mapping.storeType === store.type && mapping.storeId === store.id,
  )
  if (chosen.length === 0) {
    throw new EdgepassError(
      'store_not_mapped',
      'The account store is not mapped to the application.',
      { field: 'accountStore' },
    )
  }
  return chosen
}

async function mappingsOf(deps: Deps, ownerId: string): Promise<MappingRow[]> {
  const { accountStoreMappings: m } = schema
  return deps.db
    .select()
    .from(m)
    .where(eq(m.ownerId, ownerId))
    .orderBy(asc(m.listIndex), asc(m.id))
    .all()
}

/** How a store was reached: chosen by the attempt's `accountStore`, and through what. */
interface StorePath {
  /** The attempt named this store (`accountStore`), rather than walking all of them. */
  selected: boolean
  organizationDisabled: boolean
}

/** Looks for the login in one store: a directory, a group's members, or an organization's stores. */
async function findInStore(
  deps: Deps,
  mapping: MappingRow,
  login: string,
  path: StorePath,
): Promise<Match | undefined> {
  const { accounts, directories, groups, groupMemberships, organizations } = schema
  // Emails are stored lower-cased by JavaScript; usernames keep their case and are unique on
  // SQLite's `lower()` (ASCII only), so compare them with `lower()` on both sides: a username
  // with non-ASCII capitals still matches when typed as stored.
  const byLogin = or(
    eq(accounts.email, login.toLowerCase()),
    sql`lower(${accounts.username}) = lower(${login})`,
  )
  if (mapping.storeType === 'organization') {
    const organization = await deps.db
      .select()
      .from(organizations)
      .where(eq(organizations.id, mapping.storeId))
      .get()
    if (!organization) return undefined
    const inner = await mappingsOf(deps, organization.id)
    // 4605 when the attempt chose this organization; while walking every store an empty
    // organization just holds no one, so it must not lock out the stores after it.
    if (inner.length === 0 && path.selected) {
      throw new EdgepassError(
        'organization_no_account_stores',
        'The organization has no account stores.',
      )
    }
    for (const innerMapping of inner) {
      const match = await findInStore(deps, innerMapping, login, {
        selected: false,
        organizationDisabled: organization.status !== 'ENABLED',
      })
      if (match) return match
    }
    return undefined
  }
  const orgRefusal = path.organizationDisabled
    ? ('login_organization_disabled' as const)
    : undefined
  if (mapping.storeType === 'directory') {
    const row = await deps.db
      .select({ account: accounts, directoryStatus: directories.status })
      .from(accounts)
      .innerJoin(directories, eq(directories.id, accounts.directoryId))
      .where(and(eq(accounts.directoryId, mapping.storeId), byLogin))
      .get()
    if (!row) return undefined
    return {
      account: row.account,
      disabledOnPath: row.directoryStatus !== 'ENABLED' ? 'login_directory_disabled' : orgRefusal,
    }
  }
  const row = await deps.db
    .select({ account: accounts, directoryStatus: directories.status, groupStatus: groups.status })
    .from(groupMemberships)
    .innerJoin(accounts, eq(accounts.id, groupMemberships.accountId))
    .innerJoin(groups, eq(groups.id, groupMemberships.groupId))
    .innerJoin(directories, eq(directories.id, accounts.directoryId))
    .where(and(eq(groupMemberships.groupId, mapping.storeId), byLogin))
    .get()
  if (!row) return undefined
  const pathRefusal =
    row.groupStatus !== 'ENABLED'
      ? 'login_group_disabled'
      : row.directoryStatus !== 'ENABLED'
        ? 'login_directory_disabled'
        : orgRefusal
  return { account: row.account, disabledOnPath: pathRefusal }
}
