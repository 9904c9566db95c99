/**
 * What creating an account sends (stormpath-api reference §12): a verification link, or the
 * welcome mail. Kept apart from `workflows.ts` so `accounts.ts` can use it without a cycle.
 */
import type { Deps } from '../deps'
import { composeMail, queueWorkflowMail } from '../mail/compose'
import { queueMail } from '../mail/outbox'
import { isMailEnabled } from '../mail/templates'
import type { BatchStatement } from '../store/db'
import type { AccountRow, ApplicationRow, PoliciesRow } from '../store/rows'
import { EMAIL_VERIFICATION_TTL_SECONDS, issueAccountToken } from './tokens'

/**
 * What creating `account` sends (for the creation's batch): a verification link when it starts
 * UNVERIFIED, otherwise the welcome mail when enabled. `?registrationWorkflowEnabled=false`
 * (`workflow` false) sends nothing.
 */
export async function registrationStatements(
  deps: Deps,
  account: AccountRow,
  policies: PoliciesRow,
  workflow: boolean,
  application: ApplicationRow | null = null,
): Promise<BatchStatement[]> {
  if (!workflow) return []
  if (account.status === 'UNVERIFIED' && isMailEnabled(policies, 'verification')) {
    return verificationStatements(deps, account, policies, application)
  }
  return queueWorkflowMail(deps, { workflow: 'welcome', account, policies, application })
}

/** A new verification token and its mail, for the caller's batch. */
export async function verificationStatements(
  deps: Deps,
  account: AccountRow,
  policies: PoliciesRow,
  application: ApplicationRow | null,
): Promise<BatchStatement[]> {
  const issued = await issueAccountToken(
    deps,
    account,
    'email_verification',
    EMAIL_VERIFICATION_TTL_SECONDS,
    application?.id ?? null,
  )
  const mail = await composeMail(deps, {
    workflow: 'verification',
    account,
    policies,
    application,
    token: issued.token,
  })
  return [...issued.statements, ...(await queueMail(deps, mail))]
}
