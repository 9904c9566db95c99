/**
 * The second step of a hosted sign-in (reference §1.5 item 4, §1.7): after the password, an
 * account with a second factor owes a code (`mfa`: TOTP or a recovery code), and under the
 * tenant's mandatory 2FA an account without one enrols first (`mfa_setup`). No SSO session
 * exists until the step is passed: the interaction only remembers who passed the password.
 *
 * JSON: `POST …/interaction/<uid>/mfa {code}` and `POST …/interaction/<uid>/mfa/setup {code}`
 * answer `{redirectTo}` or `{prompt}` (setup also `recoveryCodes`, shown once); a wrong code is
 * 400 `invalid_code`. The hosted pages post the same routes as forms.
 */
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import {
  checkSecondFactor,
  checkTotpFactor,
  limitSecondFactorAttempts,
  openTotpSecret,
  renewRecoveryCodes,
  resumeOrEnrolTotp,
} from '../mfa/factors'
import { hasSecondFactor } from '../mfa/passkeys'
import { totpKeyUri } from '../mfa/totp'
import type { AccountRow, MfaFactorRow, OidcInteractionRow, TenantRow } from '../store/rows'
import { OAuthError } from './errors'

export type SecondStep = 'mfa' | 'mfa_setup'

type StepDeps = Pick<Deps, 'db' | 'now' | 'newId' | 'sealer'>

/**
 * What an account that just passed its password still owes, recorded on the interaction; or
 * nothing, and the caller starts the session.
 *
 * @example
 * const owed = await secondStepAfterPassword(deps, tenant, account, interaction)
 * if (owed) return { kind: 'authenticated', prompt: owed }
 */
export async function secondStepAfterPassword(
  deps: StepDeps,
  tenant: TenantRow,
  account: AccountRow,
  interaction: OidcInteractionRow,
): Promise<SecondStep | undefined> {
  let setupFactorId: string | null = null
  if (!(await hasSecondFactor(deps, tenant.id, account.id))) {
    // Seed 001: mandatory 2FA is not applied to external users; their server decides.
    if (!tenant.mandatoryMfa || account.externalId) return undefined
    const factor = await resumeOrEnrolTotp(deps, tenant, account)
    setupFactorId = factor.id
  }
  await deps.db
    .update(schema.oidcInteractions)
    .set({ mfaAccountId: account.id, mfaSetupFactorId: setupFactorId, accountId: null })
    .where(eq(schema.oidcInteractions.id, interaction.id))
  return setupFactorId ? 'mfa_setup' : 'mfa'
}

/** What the interaction owes, by its row. */
export function owedStep(interaction: OidcInteractionRow): SecondStep | undefined {
  if (interaction.accountId || !interaction.mfaAccountId) return undefined
  return interaction.mfaSetupFactorId ? 'mfa_setup' : 'mfa'
}

/** What a posted code came to. */
export type StepResult =
  | { kind: 'passed'; accountId: string; amr: string[]; recoveryCodes?: string[] }
  | { kind: 'refused'; message: string }

const WRONG_CODE = 'The code is not right. Check the time on your device and try again.'
const USED_CODE = 'This code has been used already. Wait for the next one.'

/**
 * Checks the code of the `mfa` step (TOTP of any factor, or a recovery code), rate limited per
 * account like passwords are.
 */
export async function passMfaStep(
  deps: StepDeps,
  interaction: OidcInteractionRow,
  code: string,
): Promise<StepResult> {
  const accountId = requireStep(interaction, 'mfa')
  await limitSecondFactorAttempts(deps, interaction.tenantId, accountId)
  const check = await checkSecondFactor(deps, interaction.tenantId, accountId, code)
  if (check.kind === 'replayed') return { kind: 'refused', message: USED_CODE }
  if (check.kind === 'refused') return { kind: 'refused', message: WRONG_CODE }
  return { kind: 'passed', accountId, amr: ['pwd', 'otp', 'mfa'] }
}

/**
 * Confirms the enrolment of the `mfa_setup` step with a first code; answers the account's new
 * recovery codes, to be shown once.
 */
export async function passMfaSetupStep(
  deps: StepDeps,
  interaction: OidcInteractionRow,
  code: string,
): Promise<StepResult> {
  const accountId = requireStep(interaction, 'mfa_setup')
  await limitSecondFactorAttempts(deps, interaction.tenantId, accountId)
  const factor = await setupFactorOf(deps, interaction)
  const check = await checkTotpFactor(deps, factor, code.trim())
  if (check.kind === 'replayed') return { kind: 'refused', message: USED_CODE }
  if (check.kind === 'refused') return { kind: 'refused', message: WRONG_CODE }
  const recoveryCodes = await renewRecoveryCodes(deps, interaction.tenantId, accountId)
  return { kind: 'passed', accountId, amr: ['pwd', 'otp', 'mfa'], recoveryCodes }
}

/** The seed and key URI of the factor being set up, for the setup page and `details`. */
export async function setupDetails(
  deps: StepDeps,
  interaction: OidcInteractionRow,
): Promise<{ secret: string; keyUri: string }> {
  const factor = await setupFactorOf(deps, interaction)
  const secret = await openTotpSecret(deps, factor)
  return { secret, keyUri: totpKeyUri({ secret, ...factor }) }
}

async function setupFactorOf(
  deps: StepDeps,
  interaction: OidcInteractionRow,
): Promise<MfaFactorRow> {
  const { mfaFactors: f } = schema
  const factor = interaction.mfaSetupFactorId
    ? await deps.db.select().from(f).where(eq(f.id, interaction.mfaSetupFactorId)).get()
    : undefined
  if (!factor || factor.accountId !== interaction.mfaAccountId) {
    throw new EdgepassError('not_found', 'The sign-in request has expired.')
  }
  return factor
}

function requireStep(interaction: OidcInteractionRow, step: SecondStep): string {
  if (owedStep(interaction) !== step) {
    throw new OAuthError('invalid_request', 'This sign-in is not waiting for that step.')
  }
  return interaction.mfaAccountId!
}
