/** @jsxImportSource hono/jsx */
/**
 * The email verification page behind `${BASE_URL}/ui/verify?sptoken=…`. Opening the link only
 * shows a button: mail scanners and link previews fetch links, and must not verify an address
 * for a user who never clicked. The button's POST consumes the token.
 */
import type { Hono } from 'hono'
import type { Deps } from '../deps'
import { findAccountToken } from '../directory/tokens'
import { verifyEmail } from '../directory/workflows'
import { deliverInBackground } from '../mail/delivery'
import { CSRF_FIELD, checkCsrf, issueCsrfToken } from './csrf'
import type { UiEnv } from './env'
import { TOKEN_FIELD, linkToken, linkTokenOf, readForm } from './form'
import { renderPage } from './layout'

/** `GET /verify` shows the confirmation button; `POST /verify` verifies. */
export function verifyRoutes(ui: Hono<UiEnv>, deps: Deps): void {
  const { baseUrl } = deps.config

  ui.get('/verify', async (c) => {
    const token = linkTokenOf(c)
    const { account } = await findAccountToken(deps, token, 'email_verification')
    return renderPage(
      c,
      { title: 'Confirm your email address' },
      <>
        <p class="lead">
          Confirm that <strong>{account.email}</strong> is your email address to finish setting up
          your account.
        </p>
        <form method="post" action="verify">
          <input type="hidden" name={CSRF_FIELD} value={issueCsrfToken(c, baseUrl)} />
          <input type="hidden" name={TOKEN_FIELD} value={token} />
          <button type="submit">Confirm my email address</button>
        </form>
      </>,
    )
  })

  ui.post('/verify', async (c) => {
    const form = await readForm(c)
    checkCsrf(c, form, baseUrl)
    await verifyEmail(deps, linkToken(form.get(TOKEN_FIELD)))
    // The verification-success and welcome mails, queued with the change.
    deliverInBackground(c, deps)
    return renderPage(
      c,
      { title: 'Your email is verified' },
      <p class="lead">Thank you. You can close this page and sign in.</p>,
    )
  })
}
