import { and, eq, isNull } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError, isEdgepassError } from '../errors'
import {
  refuseCreationIn,
  refuseExternalAccountChange,
  refuseExternalDeletion,
} from './external/guards'
import { acceptImportedHash } from '../security/passwords'
import type {
  AccountRow,
  AccountStatus,
  ApplicationRow,
  DirectoryRow,
  PoliciesRow,
  TenantRow,
} from '../store/rows'
import { runBatch, type BatchStatement } from '../store/db'
import { inTenant, updateVersioned } from '../store/scoped'
import {
  mergeCustomData,
  parseCustomData,
  refusingOversizedCustomData,
  type CustomData,
} from './custom-data'
import { refusingDuplicates } from './duplicates'
import { checkEmailDomain } from './email-domains'
import { normaliseEmail } from './names'
import { checkPasswordStrength } from './password-policy'
import { registrationStatements } from './registration'

/** Previous hashes kept per account: Stormpath's `preventReuse` allows at most 25. */
const MAX_PASSWORD_HISTORY = 25

export interface AccountInput {
  email?: string
  username?: string
  password?: string
  givenName?: string
  middleName?: string
  surname?: string
  status?: AccountStatus
  customData?: CustomData
  /** Set by faces that must not let a changed address keep its old verification. */
  emailVerificationStatus?: 'UNVERIFIED'
}

export interface CreateOptions {
  /** `?passwordFormat=mcf`: `password` is an imported bcrypt or `$stormpath2$` hash. */
  passwordIsHash: boolean
  /** `?registrationWorkflowEnabled=false` skips email verification and the welcome mail. */
  registrationWorkflow: boolean
  /** The application the account is created through, for its mails' `$!{application.*}`. */
  application?: ApplicationRow | null
}

export async function loadPolicies(
  deps: Pick<Deps, 'db'>,
  directoryId: string,
): Promise<PoliciesRow> {
  const policies = await deps.db
    .select()
    .from(schema.directoryPolicies)
    .where(eq(schema.directoryPolicies.directoryId, directoryId))
    .get()
  if (!policies) throw new Error(`directory ${directoryId} has no policies row`)
  return policies
}

/**
 * Creates an account in a directory. The password is checked against the directory's policy
 * (unless imported as a hash) and its email against the domain lists. An account created while
 * email verification is on starts UNVERIFIED; its verification (or welcome) mail is queued in
 * the same batch as the account.
 */
export async function createAccount(
  deps: Deps,
  directory: DirectoryRow,
  input: AccountInput & { email: string; password: string },
  options: CreateOptions,
): Promise<AccountRow> {
  refuseCreationIn(directory, 'account')
  const policies = await loadPolicies(deps, directory.id)
  const email = normaliseEmail(input.email)
  checkEmailDomain(email, policies)
  const passwordHash = await hashNewPassword(deps, input.password, policies, options.passwordIsHash)
  const verify = options.registrationWorkflow && policies.verificationEmailStatus === 'ENABLED'
  const now = deps.now()
  const row: AccountRow = {
    id: deps.newId(),
    tenantId: directory.tenantId,
    directoryId: directory.id,
    email,
    username: input.username === undefined ? email : usernameOf(input.username),
    givenName: input.givenName?.trim() ?? '',
    middleName: input.middleName?.trim() ?? '',
    surname: input.surname?.trim() ?? '',
    status: verify && input.status !== 'DISABLED' ? 'UNVERIFIED' : (input.status ?? 'ENABLED'),
    emailVerificationStatus: verify ? 'UNVERIFIED' : 'UNKNOWN',
    passwordHash,
    passwordModifiedAt: now,
    passwordHistory: '[]',
    failedLoginAttempts: 0,
    lastLoginAttemptAt: null,
    version: 1,
    createdAt: now,
    modifiedAt: now,
    customData: input.customData ? mergeCustomData({}, input.customData).json : '{}',
    customDataModifiedAt: input.customData ? now : null,
    externalId: null,
    missingAt: null,
  }
  const mails = await registrationStatements(
    deps,
    row,
    policies,
    options.registrationWorkflow,
    options.application ?? null,
  )
  try {
    await refusingOversizedCustomData(() =>
      refusingDuplicates(() =>
        runBatch(deps.db, [deps.db.insert(schema.accounts).values(row), ...mails]),
      ),
    )
  } catch (error) {
    throw await namingTakenEmail(deps, row, error)
  }
  return row
}

/**
 * The username defaults to the email, so a taken email usually trips the username index first
 * and SQLite names only that one; a client that sent just an email must hear that the email is
 * taken (409/2001 naming `email`).
 */
async function namingTakenEmail(deps: Deps, row: AccountRow, error: unknown): Promise<unknown> {
  if (!isEdgepassError(error) || error.code !== 'duplicate' || error.field !== 'username') {
    return error
  }
  const { accounts } = schema
  const taken = await deps.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.directoryId, row.directoryId), eq(accounts.email, row.email)))
    .get()
  if (!taken) return error
  const message = 'An account with this email already exists in the directory.'
  return new EdgepassError('duplicate', message, { field: 'email', cause: error })
}

/** A username is trimmed and must keep a character: a blank one would be an empty login. */
function usernameOf(value: string): string {
  const username = value.trim()
  if (username === '') {
    throw new EdgepassError('too_short', 'username is too short: at least 1 character.', {
      field: 'username',
    })
  }
  return username
}

/** Applies a partial update; a new password is policy-checked and must not repeat recent ones. */
export async function updateAccount(
  deps: Deps,
  tenant: TenantRow,
  account: AccountRow,
  input: AccountInput,
): Promise<AccountRow> {
  refuseExternalAccountChange(account, input)
  if (input.status && input.status !== account.status && tenant.ownerAccountId === account.id) {
    throw new EdgepassError('owner_status_fixed', "The tenant owner's status cannot be changed.", {
      field: 'status',
    })
  }
  const now = deps.now()
  const fixed: Partial<AccountRow> = { modifiedAt: now }
  if (input.email !== undefined) {
    fixed.email = normaliseEmail(input.email)
    if (fixed.email !== account.email)
      checkEmailDomain(fixed.email, await loadPolicies(deps, account.directoryId))
  }
  if (input.username !== undefined) {
    fixed.username = usernameOf(input.username)
    if (fixed.username !== account.username) await refuseSubjectChange(deps, account)
  }
  for (const name of ['givenName', 'middleName', 'surname'] as const) {
    if (input[name] !== undefined) fixed[name] = input[name]!.trim()
  }
  if (input.status !== undefined) fixed.status = input.status
  if (input.emailVerificationStatus !== undefined) {
    fixed.emailVerificationStatus = input.emailVerificationStatus
  }
  if (input.password !== undefined)
    Object.assign(fixed, await passwordChange(deps, account, input.password))
  const row = await refusingOversizedCustomData(() =>
    refusingDuplicates(() =>
      updateVersioned(deps.db, schema.accounts, account, (current) =>
        input.customData === undefined
          ? fixed
          : {
              ...fixed,
              customData: mergeCustomData(parseCustomData(current.customData), input.customData)
                .json,
              customDataModifiedAt: now,
            },
      ),
    ),
  )
  if (!row) throw new EdgepassError('not_found', 'The account no longer exists.')
  return row
}

/**
 * OIDC Core §2 requires a `sub` that is never reassigned; it is the username for clients of the
 * default subject type (Cloudron parity, reference §1.2). So once an account holds a live grant
 * to such a client its username is fixed, or the relying party would see a new user, or
 * another account could take the old name and its identity.
 */
async function refuseSubjectChange(deps: Pick<Deps, 'db'>, account: AccountRow): Promise<void> {
  const { oidcGrants: g, oidcClients: c } = schema
  const grant = await deps.db
    .select({ id: g.id })
    .from(g)
    .innerJoin(c, eq(c.id, g.clientId))
    .where(
      and(
        eq(g.tenantId, account.tenantId),
        eq(g.accountId, account.id),
        isNull(g.revokedAt),
        eq(c.subjectType, 'username'),
      ),
    )
    .get()
  if (grant) {
    throw new EdgepassError(
      'invalid_value',
      'The username is the subject of OpenID Connect sign-ins and cannot change; revoke its grants first (DELETE /v1/accounts/{id}/oidcGrants).',
      { field: 'username' },
    )
  }
}

/** The columns that change with a new password, after the policy and reuse checks. */
export async function passwordChange(
  deps: Deps,
  account: AccountRow,
  password: string,
): Promise<Pick<AccountRow, 'passwordHash' | 'passwordModifiedAt' | 'passwordHistory'>> {
  refuseExternalAccountChange(account, { password })
  const policies = await loadPolicies(deps, account.directoryId)
  const history: string[] = JSON.parse(account.passwordHistory)
  const recent = [account.passwordHash, ...history].filter((hash): hash is string => !!hash)
  for (const hash of recent.slice(0, policies.preventReuse)) {
    if (await deps.passwords.verify(password, hash)) {
      throw new EdgepassError(
        'password_too_weak',
        `The password must differ from the last ${policies.preventReuse} passwords.`,
        { field: 'password' },
      )
    }
  }
  return {
    passwordHash: await hashNewPassword(deps, password, policies, false),
    passwordModifiedAt: deps.now(),
    passwordHistory: JSON.stringify(recent.slice(0, MAX_PASSWORD_HISTORY)),
  }
}

async function hashNewPassword(
  deps: Deps,
  password: string,
  policies: PoliciesRow,
  passwordIsHash: boolean,
): Promise<string> {
  if (passwordIsHash) {
    const hash = acceptImportedHash(password)
    if (!hash) {
      throw new EdgepassError(
        'invalid_value',
        'password must be a bcrypt or $stormpath2$ hash with passwordFormat=mcf.',
        { field: 'password' },
      )
    }
    return hash
  }
  checkPasswordStrength(password, policies)
  return deps.passwords.hash(password)
}

/**
 * Deletes an account with its memberships, API keys, sessions and pending tokens; the tenant
 * owner stays. Its outbox entries stay too: they are the record of what was sent.
 */
export async function deleteAccount(
  deps: Deps,
  tenant: TenantRow,
  account: AccountRow,
): Promise<void> {
  if (tenant.ownerAccountId === account.id) {
    throw new EdgepassError('owner_undeletable', 'The tenant owner cannot be deleted.')
  }
  refuseExternalDeletion(account)
  const { db } = deps
  await db.batch([
    db.delete(schema.groupMemberships).where(eq(schema.groupMemberships.accountId, account.id)),
    db.delete(schema.apiKeys).where(eq(schema.apiKeys.accountId, account.id)),
    db.delete(schema.apiSessions).where(eq(schema.apiSessions.accountId, account.id)),
    db.delete(schema.accountTokens).where(eq(schema.accountTokens.accountId, account.id)),
    db.delete(schema.accounts).where(inTenant(schema.accounts, account.tenantId, account.id)),
  ])
}

/**
 * Statements that end every session of an account, for the batch of a change that must sign it
 * out everywhere (password reset): its API sessions, its OpenID Connect SSO sessions, and every
 * code, access and refresh token relying parties hold for it — a stolen password must not keep
 * working through a refresh token obtained with it. Grants (consent) stay.
 */
export function sessionRevocations(deps: Pick<Deps, 'db'>, accountId: string): BatchStatement[] {
  const { apiSessions, oidcSessions, oidcTokens } = schema
  return [
    deps.db.delete(apiSessions).where(eq(apiSessions.accountId, accountId)),
    deps.db.delete(oidcSessions).where(eq(oidcSessions.accountId, accountId)),
    deps.db.delete(oidcTokens).where(eq(oidcTokens.accountId, accountId)),
  ]
}
