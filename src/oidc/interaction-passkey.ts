/**
 * Passkeys in the hosted sign-in (issue "2FA" items 2 and 3): as the second factor of an
 * account that passed its password (`mfa` step), and as a passwordless first factor — any
 * discoverable passkey of the tenant, whose account must then be one the application reaches,
 * enabled and not locked, exactly as a password sign-in would require.
 *
 * JSON: `POST …/interaction/<uid>/passkey/options` answers `{challengeId, options}`;
 * `POST …/interaction/<uid>/passkey {challengeId, response}` answers like the other steps.
 */
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { findAccountByLogin, lockExpiry } from '../directory/login'
import { loadPolicies } from '../directory/accounts'
import {
  finishPasskeyAuthentication,
  startPasskeyAuthentication,
  type PasskeyAssertion,
} from '../mfa/passkeys'
import { limitSecondFactorAttempts } from '../mfa/factors'
import { enforceRateLimits, LOGIN_PER_ADDRESS } from '../security/rate-limit'
import type { ApplicationRow, OidcInteractionRow, TenantRow } from '../store/rows'
import { findInTenant } from '../store/scoped'
import { owedStep, type StepResult } from './interaction-mfa'
import { OAuthError } from './errors'

/** Options for the step the interaction is at: its account's passkeys, or any (passwordless). */
export async function passkeyOptions(deps: Deps, interaction: OidcInteractionRow) {
  const owed = owedStep(interaction)
  if (owed === 'mfa') {
    return startPasskeyAuthentication(deps, interaction.tenantId, interaction.mfaAccountId)
  }
  if (owed === undefined && !interaction.accountId) {
    return startPasskeyAuthentication(deps, interaction.tenantId, null)
  }
  throw new OAuthError('invalid_request', 'This sign-in is not waiting for a passkey.')
}

/**
 * Checks a passkey assertion for the step the interaction is at. A passwordless sign-in is
 * refused under mandatory 2FA unless the authenticator verified the user (PIN, biometrics):
 * only then is a passkey two factors in one.
 */
export async function passPasskeyStep(
  deps: Deps,
  tenant: TenantRow,
  application: ApplicationRow | undefined,
  interaction: OidcInteractionRow,
  input: { challengeId: string; response: unknown },
  clientAddress: string,
): Promise<StepResult> {
  const owed = owedStep(interaction)
  if (owed === 'mfa') {
    const accountId = interaction.mfaAccountId!
    await limitSecondFactorAttempts(deps, tenant.id, accountId)
    const outcome = await finishPasskeyAuthentication(deps, tenant.id, input)
    if (outcome.kind === 'refused') return { kind: 'refused', message: outcome.reason }
    return { kind: 'passed', accountId, amr: ['pwd', ...keyAmr(outcome.value), 'mfa'] }
  }
  if (owed !== undefined || interaction.accountId) {
    throw new OAuthError('invalid_request', 'This sign-in is not waiting for a passkey.')
  }
  await enforceRateLimits(deps, [[`login:address:${clientAddress}`, LOGIN_PER_ADDRESS]])
  const outcome = await finishPasskeyAuthentication(deps, tenant.id, input)
  if (outcome.kind === 'refused') return { kind: 'refused', message: outcome.reason }
  const { passkey, userVerified } = outcome.value
  const refusal = await firstFactorRefusal(
    deps,
    tenant,
    application,
    passkey.accountId,
    userVerified,
  )
  if (refusal) return { kind: 'refused', message: refusal }
  const amr = [...keyAmr(outcome.value), ...(userVerified ? ['user', 'mfa'] : [])]
  return { kind: 'passed', accountId: passkey.accountId, amr }
}

/** RFC 8176: a device-bound key is `hwk`, a synced (backed-up) one `swk`. */
function keyAmr(assertion: PasskeyAssertion): string[] {
  return [assertion.passkey.deviceType === 'singleDevice' ? 'hwk' : 'swk']
}

/** Why the passkey's account may not sign in to this application, if it may not. */
async function firstFactorRefusal(
  deps: Deps,
  tenant: TenantRow,
  application: ApplicationRow | undefined,
  accountId: string,
  userVerified: boolean,
): Promise<string | undefined> {
  const denied = 'This passkey cannot sign in to this application.'
  if (!application || application.status !== 'ENABLED') return denied
  if (tenant.mandatoryMfa && !userVerified) {
    return 'Your passkey did not verify you (PIN or biometrics); sign in with your password.'
  }
  const account = await findInTenant(deps.db, schema.accounts, tenant.id, accountId)
  if (!account) return denied
  // The store walk of a password sign-in: the application must reach this very account.
  const match = await findAccountByLogin(deps, application, account.username, { kind: 'all' })
  if (!match || match.account.id !== account.id || match.disabledOnPath) return denied
  if (account.status !== 'ENABLED') return 'This account is not enabled.'
  const policies = await loadPolicies(deps, account.directoryId)
  const lockedUntil = lockExpiry(account, policies)
  if (lockedUntil && deps.now() < lockedUntil) return 'This account is locked for now.'
  return undefined
}
