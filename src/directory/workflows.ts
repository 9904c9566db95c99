/**
 * Account workflows behind email links (stormpath-api reference §12): verification, welcome,
 * password reset and its success mail, Cloudpass's password change. Each change is written in
 * one batch with the mails it causes and, where a token authorises it, the token's consumption.
 */
import { and, eq, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { queueWorkflowMail } from '../mail/compose'
import { isMailEnabled } from '../mail/templates'
import { newSecretToken } from '../security/tokens'
import { runBatch, type BatchStatement } from '../store/db'
import type { AccountRow, ApplicationRow, PoliciesRow } from '../store/rows'
import { loadPolicies, passwordChange, sessionRevocations } from './accounts'
import { findAccountByLogin, type StoreSelector } from './login'
import { normaliseEmail } from './names'
import { verificationStatements } from './registration'
import { findAccountToken, issueAccountToken, runConsuming } from './tokens'

/**
 * Consumes a verification token: the account becomes VERIFIED (and ENABLED unless an admin
 * disabled it meanwhile), then gets the verification-success and welcome mails as enabled
 * (both, where Cloudpass sends only the first: reference §12 decision 2).
 */
export async function verifyEmail(
  deps: Deps,
  token: string,
  /** Through `/v1`: the caller's tenant; another tenant's token is as unknown as a wrong one. */
  tenantId?: string,
): Promise<AccountRow> {
  const found = await findAccountToken(deps, token, 'email_verification')
  if (tenantId !== undefined && found.account.tenantId !== tenantId) {
    throw new EdgepassError('not_found', 'The email verification link is invalid or has expired.')
  }
  const policies = await loadPolicies(deps, found.account.directoryId)
  const now = deps.now()
  const verified: AccountRow = {
    ...found.account,
    status: found.account.status === 'UNVERIFIED' ? 'ENABLED' : found.account.status,
    emailVerificationStatus: 'VERIFIED',
    modifiedAt: now,
  }
  const application = await applicationOf(deps, found.token.applicationId)
  const { accounts } = schema
  await runConsuming(deps, found.token, [
    deps.db
      .update(accounts)
      .set({
        status: sql`case when ${accounts.status} = 'UNVERIFIED' then 'ENABLED' else ${accounts.status} end`,
        emailVerificationStatus: 'VERIFIED',
        modifiedAt: now,
        version: sql`${accounts.version} + 1`,
      })
      .where(eq(accounts.id, found.account.id)),
    ...(await queueWorkflowMail(deps, {
      workflow: 'verificationSuccess',
      account: verified,
      policies,
      application,
    })),
    ...(await queueWorkflowMail(deps, {
      workflow: 'welcome',
      account: verified,
      policies,
      application,
    })),
  ])
  return reload(deps, found.account.id)
}

/**
 * `POST /applications/{id}/verificationEmails`: a new link for an account still waiting for
 * one. An unknown login or an already verified account gets nothing, and the caller cannot
 * tell; a directory without the workflow is an error (6101), as in Stormpath.
 */
export async function resendVerification(
  deps: Deps,
  application: ApplicationRow,
  login: string,
  selector: StoreSelector,
): Promise<void> {
  const match = await findAccountByLogin(deps, application, login.trim(), selector)
  if (!match) return
  const { account } = match
  const policies = await loadPolicies(deps, account.directoryId)
  if (!isMailEnabled(policies, 'verification')) {
    throw new EdgepassError(
      'no_verification_workflow',
      "The account's directory does not send verification emails.",
    )
  }
  if (account.emailVerificationStatus !== 'UNVERIFIED') return
  await runBatch(deps.db, await verificationStatements(deps, account, policies, application))
}

export interface ResetRequest {
  /** The live token, or a decoy of the same shape when no account matched. */
  token: string
  account: AccountRow | undefined
}

/**
 * `POST /applications/{id}/passwordResetTokens {email}`: issues a token valid for the policy's
 * `resetTokenTtl` and mails it when `resetEmailStatus` is on. An unknown, disabled or
 * unreachable account gets a decoy token and no mail, so the answer does not reveal who has an
 * account.
 */
export async function requestPasswordReset(
  deps: Deps,
  application: ApplicationRow,
  email: string,
  selector: StoreSelector,
): Promise<ResetRequest> {
  const address = normaliseEmail(email)
  const match = await findAccountByLogin(deps, application, address, selector)
  const account = match?.account
  if (
    !account ||
    account.email !== address ||
    account.status === 'DISABLED' ||
    match.disabledOnPath ||
    // An external account's password is its server's: there is nothing to reset here.
    account.externalId
  ) {
    return { token: newSecretToken(), account: undefined }
  }
  const policies = await loadPolicies(deps, account.directoryId)
  const issued = await issueAccountToken(
    deps,
    account,
    'password_reset',
    policies.resetTokenTtlHours * 3600,
    application.id,
  )
  await runBatch(deps.db, [
    ...issued.statements,
    ...(await queueWorkflowMail(deps, {
      workflow: 'reset',
      account,
      policies,
      application,
      token: issued.token,
    })),
  ])
  return { token: issued.token, account }
}

/**
 * A live reset token with its account and the directory's policies (for the reset page's
 * rules); `not_found` when unknown, expired, used, or issued through another application.
 */
export async function findPasswordReset(
  deps: Deps,
  token: string,
  applicationId?: string,
): Promise<{ account: AccountRow; policies: PoliciesRow; applicationId: string | null }> {
  const found = await findAccountToken(deps, token, 'password_reset')
  if (applicationId !== undefined && found.token.applicationId !== applicationId) {
    throw new EdgepassError('not_found', 'The password reset link is invalid or has expired.')
  }
  return {
    account: found.account,
    policies: await loadPolicies(deps, found.account.directoryId),
    applicationId: found.token.applicationId,
  }
}

/**
 * Sets a new password with a reset token: the policy and reuse rules apply (a refused password
 * leaves the token usable), the token is consumed, every session of the account ends, the
 * lockout counter restarts, and the success mail goes out when enabled.
 */
export async function resetPassword(
  deps: Deps,
  token: string,
  password: string,
  applicationId?: string,
): Promise<AccountRow> {
  const found = await findAccountToken(deps, token, 'password_reset')
  if (applicationId !== undefined && found.token.applicationId !== applicationId) {
    throw new EdgepassError('not_found', 'The password reset link is invalid or has expired.')
  }
  const { account } = found
  const policies = await loadPolicies(deps, account.directoryId)
  const changes = await passwordChange(deps, account, password)
  const application = await applicationOf(deps, found.token.applicationId)
  const { accounts, accountTokens } = schema
  await runConsuming(deps, found.token, [
    deps.db
      .update(accounts)
      .set({
        ...changes,
        failedLoginAttempts: 0,
        modifiedAt: deps.now(),
        version: sql`${accounts.version} + 1`,
      })
      .where(eq(accounts.id, account.id)),
    // Any other reset link sent before this one dies with it.
    deps.db
      .delete(accountTokens)
      .where(
        and(eq(accountTokens.accountId, account.id), eq(accountTokens.purpose, 'password_reset')),
      ),
    ...sessionRevocations(deps, account.id),
    ...(await queueWorkflowMail(deps, {
      workflow: 'resetSuccess',
      account: account,
      policies,
      application,
    })),
  ])
  return reload(deps, account.id)
}

/**
 * Cloudpass's `POST /accounts/{id}/passwordChanges`: the current password must match (7100
 * otherwise); the new one passes the policy; the reset-success mail goes out when enabled.
 */
export async function changePassword(
  deps: Deps,
  account: AccountRow,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  if (
    !account.passwordHash ||
    !(await deps.passwords.verify(currentPassword, account.passwordHash))
  ) {
    throw new EdgepassError('login_wrong_password', 'The current password is wrong.', {
      field: 'currentPassword',
    })
  }
  const policies = await loadPolicies(deps, account.directoryId)
  const changes = await passwordChange(deps, account, newPassword)
  const { accounts } = schema
  await runBatch(deps.db, [
    deps.db
      .update(accounts)
      .set({ ...changes, modifiedAt: deps.now(), version: sql`${accounts.version} + 1` })
      .where(eq(accounts.id, account.id)),
    ...(await queueWorkflowMail(deps, { workflow: 'resetSuccess', account: account, policies })),
  ])
}

async function applicationOf(deps: Deps, id: string | null): Promise<ApplicationRow | null> {
  if (!id) return null
  const { applications } = schema
  return (await deps.db.select().from(applications).where(eq(applications.id, id)).get()) ?? null
}

async function reload(deps: Deps, accountId: string): Promise<AccountRow> {
  const { accounts } = schema
  const row = await deps.db.select().from(accounts).where(eq(accounts.id, accountId)).get()
  if (!row) throw new EdgepassError('not_found', 'The account no longer exists.')
  return row
}
