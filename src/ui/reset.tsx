/** @jsxImportSource hono/jsx */
/**
 * The password reset page behind `${BASE_URL}/ui/reset?sptoken=…`: a new-password form under
 * the directory's policy. A refused password is answered on the form (400) and leaves the link
 * usable; only a changed password consumes it.
 */
import type { Hono } from 'hono'
import type { Deps } from '../deps'
import { isEdgepassError } from '../errors'
import { findPasswordReset, resetPassword } from '../directory/workflows'
import { deliverInBackground } from '../mail/delivery'
import { enforceRateLimits, PASSWORD_CHANGE_PER_ACCOUNT } from '../security/rate-limit'
import type { AccountRow, PoliciesRow } from '../store/rows'
import { checkCsrf, issueCsrfToken } from './csrf'
import type { UiContext, UiEnv } from './env'
import { TOKEN_FIELD, linkToken, linkTokenOf, readForm } from './form'
import { renderPage } from './layout'
import { ResetForm, type FieldError } from './reset-form'
import { describePasswordRules } from './rules'

/** No policy allows more (Stormpath's bound on `maxLength`). */
export const MAX_PASSWORD_LENGTH = 1024

const TITLE = 'Choose a new password'

/** `GET /reset` shows the form; `POST /reset` changes the password. */
export function resetRoutes(ui: Hono<UiEnv>, deps: Deps): void {
  const { baseUrl } = deps.config
  const showForm = (
    c: UiContext,
    reset: { account: AccountRow; policies: PoliciesRow },
    token: string,
    error?: FieldError,
  ) =>
    renderPage(
      c,
      { title: TITLE, hasError: error !== undefined, status: error ? 400 : 200 },
      <ResetForm
        email={reset.account.email}
        username={reset.account.username}
        rules={describePasswordRules(reset.policies)}
        token={token}
        csrf={issueCsrfToken(c, baseUrl)}
        error={error}
      />,
    )

  ui.get('/reset', async (c) => {
    const token = linkTokenOf(c)
    return showForm(c, await findPasswordReset(deps, token), token)
  })

  ui.post('/reset', async (c) => {
    const form = await readForm(c)
    checkCsrf(c, form, baseUrl)
    const token = linkToken(form.get(TOKEN_FIELD))
    const reset = await findPasswordReset(deps, token)
    // Each attempt may cost one argon2 verification per remembered password plus a hash: bound
    // what one link can make us compute.
    await enforceRateLimits(deps, [[`reset-page:${reset.account.id}`, PASSWORD_CHANGE_PER_ACCOUNT]])
    const password = form.get('password') ?? ''
    const error = checkPasswordPair(password, form.get('confirmation') ?? '')
    if (error) return showForm(c, reset, token, error)
    try {
      await resetPassword(deps, token, password)
    } catch (caught) {
      // The policy's refusals name the field and carry a message written for the user.
      if (isEdgepassError(caught) && caught.field === 'password') {
        return showForm(c, reset, token, { field: 'password', message: caught.message })
      }
      throw caught
    }
    deliverInBackground(c, deps)
    return renderPage(
      c,
      { title: 'Your password has been changed' },
      <p class="lead">
        You can now sign in with your new password. Anywhere you were signed in before, you have
        been signed out.
      </p>,
    )
  })
}

/**
 * What is wrong with the two fields before the policy is asked: an oversized password (refused
 * before any hashing, which costs time in its length) or a confirmation that differs.
 */
export function checkPasswordPair(password: string, confirmation: string): FieldError | undefined {
  if (Array.from(password).length > MAX_PASSWORD_LENGTH) {
    return {
      field: 'password',
      message: `Password may be at most ${MAX_PASSWORD_LENGTH} characters.`,
    }
  }
  if (password !== confirmation) {
    return { field: 'confirmation', message: 'The two passwords do not match.' }
  }
  return undefined
}
