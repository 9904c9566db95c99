/**
 * The account self-service page at `{issuer}/account` (issue "2FA" item 5; `/ui/account`
 * redirects here): profile, password, two-factor authentication, sessions. The browser's SSO
 * session is the credential, as for the sessions page; every form carries the CSRF token, and
 * what weakens the account (turning 2FA off, new recovery codes) asks for the password again.
 * Under the tenant's lock profile, name and email are the administrators' to change.
 */
import { eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { updateAccount } from '../directory/accounts'
import { changePassword } from '../directory/workflows'
import { EdgepassError } from '../errors'
import { STORMPATH_ERRORS } from '../rest/errors'
import { readFields, text } from '../rest/fields'
import {
  activeFactors,
  checkTotpFactor,
  openTotpSecret,
  remainingRecoveryCodes,
  removeFactor,
  renewRecoveryCodes,
  unverifiedFactor,
  resumeOrEnrolTotp,
} from '../mfa/factors'
import { listPasskeys } from '../mfa/passkeys'
import { qrSvg } from '../mfa/qr'
import { totpKeyUri } from '../mfa/totp'
import { enforceRateLimits, PASSWORD_CHANGE_PER_ACCOUNT } from '../security/rate-limit'
import { findInTenant } from '../store/scoped'
import type { AccountRow, MfaFactorRow, TenantRow } from '../store/rows'
import type { OidcEnv } from './context'
import { ACCOUNT_STYLES, ACCOUNT_TITLE, AccountPage } from './pages/account'
import { issuePageCsrfToken, readPostedForm } from './pages/forms'
import {
  MFA_SETUP_TITLE,
  MFA_STYLES,
  MfaSetupPage,
  RECOVERY_CODES_TITLE,
  RecoveryCodesPage,
} from './pages/mfa'
import { PASSKEY_SCRIPT } from './pages/passkey-script'
import { refusedFormPage } from './pages/errors'
import { renderOidcPage } from './pages/render'
import { NoSessionPage } from './pages/sessions'
import { currentSession } from './sessions'

type Ctx = Context<OidcEnv>

/** The signed-in account with its tenant as they are now. */
export interface Owner {
  account: AccountRow
  tenant: TenantRow
}

type Notice = { text: string; error: boolean }

const MAX_FIELD = 1024
const PROFILE_FIELDS = { givenName: text(0, 255), surname: text(0, 255), email: text(3, 254) }

/**
 * Registers the page and its form posts.
 *
 * @example
 * accountRoutes(oidcApp, deps)
 */
export function accountRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const base = (c: Ctx) => `${c.get('issuer')}/account`

  /** The page, with the notice of what was just done (and its status). */
  const show = async (c: Ctx, owner: Owner, notice?: Notice, status?: ContentfulStatusCode) => {
    const { account, tenant } = owner
    const factors = await activeFactors(deps, tenant.id, account.id)
    return renderOidcPage(
      c,
      {
        title: ACCOUNT_TITLE,
        styles: ACCOUNT_STYLES,
        script: PASSKEY_SCRIPT,
        status: status ?? (notice?.error ? 400 : 200),
        hasError: notice?.error,
      },
      AccountPage({
        action: base(c),
        csrfToken: issuePageCsrfToken(c, deps),
        username: account.username,
        givenName: account.givenName,
        surname: account.surname,
        email: account.email,
        lockProfile: tenant.lockProfile,
        mandatoryMfa: tenant.mandatoryMfa,
        hasTotp: factors.length > 0,
        recoveryCodesLeft: await remainingRecoveryCodes(deps, tenant.id, account.id),
        passkeys: await listPasskeys(deps, tenant.id, account.id),
        notice,
      }),
    )
  }

  /** A GET or a checked form post by a signed-in browser; others see the no-session page. */
  const signedIn =
    (handler: (c: Ctx, owner: Owner, form: URLSearchParams) => Promise<Response>) =>
    async (c: Ctx) => {
      let form = new URLSearchParams()
      if (c.req.method === 'POST') {
        try {
          form = await readPostedForm(c, deps)
        } catch (error) {
          if (!(error instanceof EdgepassError)) throw error
          return refusedFormPage(c, error, 'Open your account page again.')
        }
      }
      const owner = await ownerOf(c, deps)
      if (!owner) return renderOidcPage(c, { title: ACCOUNT_TITLE }, NoSessionPage())
      return handler(c, owner, form)
    }

  app.get(
    '/account',
    signedIn((c, owner) => show(c, owner)),
  )

  app.post(
    '/account/profile',
    signedIn(async (c, owner, form) => {
      const input = {
        givenName: field(form, 'givenName'),
        surname: field(form, 'surname'),
        email: field(form, 'email'),
      }
      const { account, tenant } = owner
      const changes = Object.entries(input).filter(
        ([name, value]) =>
          value !== undefined && value.trim() !== account[name as keyof typeof input],
      )
      if (tenant.lockProfile && changes.length > 0) {
        const notice = {
          text: 'Your administrator manages your name and email address.',
          error: true,
        }
        return show(c, owner, notice, 403)
      }
      try {
        // The limits `/v1` holds accounts to (`accountFields`), so no face escapes them.
        const checked = readFields(Object.fromEntries(changes), PROFILE_FIELDS)
        // A new address is not verified: relying parties trust `email_verified`.
        const newEmail = checked.email !== undefined && checked.email !== account.email
        const updated = await updateAccount(deps, tenant, account, {
          ...checked,
          ...(newEmail ? { emailVerificationStatus: 'UNVERIFIED' as const } : {}),
        })
        return show(
          c,
          { tenant, account: updated },
          { text: 'Your profile is saved.', error: false },
        )
      } catch (error) {
        if (!isUserError(error)) throw error
        return show(c, owner, { text: error.message, error: true })
      }
    }),
  )

  app.post(
    '/account/password',
    signedIn(async (c, owner, form) => {
      await limitPasswordChecks(deps, owner)
      try {
        await changePassword(
          deps,
          owner.account,
          form.get('currentPassword') ?? '',
          field(form, 'newPassword') ?? '',
        )
      } catch (error) {
        if (!isUserError(error)) throw error
        return show(c, owner, { text: error.message, error: true })
      }
      return show(c, owner, { text: 'Your password is changed.', error: false })
    }),
  )

  app.post(
    '/account/mfa/setup',
    signedIn(async (c, owner) =>
      setupPage(c, owner, await resumeOrEnrolTotp(deps, owner.tenant, owner.account)),
    ),
  )

  app.post(
    '/account/mfa/confirm',
    signedIn(async (c, owner, form) => {
      const factor = await unverifiedFactor(deps, owner.tenant.id, owner.account.id)
      if (!factor) return show(c, owner, { text: 'Start the setup again.', error: true })
      const check = await checkTotpFactor(
        deps,
        factor,
        (form.get('code') ?? '').trim().slice(0, 64),
      )
      if (check.kind !== 'accepted') {
        return setupPage(
          c,
          owner,
          factor,
          'The code is not right. Check the time on your device and try again.',
        )
      }
      const codes = await renewRecoveryCodes(deps, owner.tenant.id, owner.account.id)
      return codesPage(c, codes, base(c))
    }),
  )

  app.post(
    '/account/mfa/cancel',
    signedIn(async (c) => c.redirect(base(c), 303)),
  )

  app.post(
    '/account/mfa/recovery-codes',
    signedIn(async (c, owner, form) => {
      const refused = await passwordRefusal(deps, owner, form)
      if (refused) return show(c, owner, refused)
      const codes = await renewRecoveryCodes(deps, owner.tenant.id, owner.account.id)
      return codesPage(c, codes, base(c))
    }),
  )

  app.post(
    '/account/mfa/remove',
    signedIn(async (c, owner, form) => {
      if (owner.tenant.mandatoryMfa) {
        return show(
          c,
          owner,
          { text: 'Two-factor authentication is required here.', error: true },
          403,
        )
      }
      const refused = await passwordRefusal(deps, owner, form)
      if (refused) return show(c, owner, refused)
      for (const factor of await activeFactors(deps, owner.tenant.id, owner.account.id)) {
        await removeFactor(deps, factor)
      }
      return show(c, owner, { text: 'Two-factor authentication is off.', error: false })
    }),
  )

  const setupPage = async (c: Ctx, owner: Owner, factor: MfaFactorRow, error?: string) => {
    const secret = await openTotpSecret(deps, factor)
    const keyUri = totpKeyUri({ secret, issuer: factor.issuer, accountName: factor.accountName })
    return renderOidcPage(
      c,
      {
        title: MFA_SETUP_TITLE,
        styles: MFA_STYLES,
        hasError: error !== undefined,
        status: error ? 400 : 200,
      },
      MfaSetupPage({
        qrSvg: qrSvg(keyUri, 'QR code for your authenticator app'),
        secret,
        action: `${base(c)}/mfa/confirm`,
        cancelAction: `${base(c)}/mfa/cancel`,
        csrfToken: issuePageCsrfToken(c, deps),
        error,
        intro: 'Scan this code with an authenticator app, then enter the six-digit code it shows.',
      }),
    )
  }
}

function codesPage(c: Ctx, codes: string[], continueUrl: string) {
  return renderOidcPage(
    c,
    { title: RECOVERY_CODES_TITLE, styles: MFA_STYLES },
    RecoveryCodesPage({ codes, continueUrl }),
  )
}

export async function ownerOf(c: Ctx, deps: Deps): Promise<Owner | undefined> {
  const session = await currentSession(c, deps)
  if (!session) return undefined
  const [account, tenant] = await Promise.all([
    findInTenant(deps.db, schema.accounts, session.tenantId, session.accountId),
    deps.db.select().from(schema.tenants).where(eq(schema.tenants.id, session.tenantId)).get(),
  ])
  return account && tenant && account.status === 'ENABLED' ? { account, tenant } : undefined
}

/** Each check of the current password is a guess: counted like password changes. */
function limitPasswordChecks(deps: Deps, owner: Owner) {
  return enforceRateLimits(deps, [
    [`password-check:${owner.tenant.id}:${owner.account.id}`, PASSWORD_CHANGE_PER_ACCOUNT],
  ])
}

async function passwordRefusal(
  deps: Deps,
  owner: Owner,
  form: URLSearchParams,
): Promise<Notice | undefined> {
  await limitPasswordChecks(deps, owner)
  const password = form.get('currentPassword') ?? ''
  const hash = owner.account.passwordHash
  const ok =
    password.length <= MAX_FIELD && hash !== null && (await deps.passwords.verify(password, hash))
  return ok ? undefined : { text: 'The current password is wrong.', error: true }
}

/** A trimmed form field, or undefined when absent; oversized values are cut (then refused by the domain's limits). */
function field(form: URLSearchParams, name: string): string | undefined {
  const value = form.get(name)
  return value === null ? undefined : value.slice(0, MAX_FIELD)
}

/** A refusal to show on the page (bad input, wrong password), not a failure to log. */
function isUserError(error: unknown): error is EdgepassError {
  return error instanceof EdgepassError && STORMPATH_ERRORS[error.code].status < 500
}
