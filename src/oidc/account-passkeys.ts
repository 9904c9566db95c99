/**
 * Passkeys on the account page (issue "2FA" item 2): register (named), list (on the page),
 * remove. Registration is a WebAuthn ceremony driven by the page's script through two JSON
 * calls; they carry the page's CSRF token in `X-CSRF-Token` (the double-submit cookie's
 * value), and a JSON body another site cannot send without a preflight these routes never
 * grant.
 *
 * - `POST {issuer}/account/passkeys/options` → `{challengeId, options}`
 * - `POST {issuer}/account/passkeys {challengeId, response, name}` → 201 `{id, name, redirectTo}`
 * - `POST {issuer}/account/passkeys/{id}/delete` (form) → 303 to the account page
 */
import type { Context, Hono } from 'hono'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { deletePasskey, finishPasskeyRegistration, startPasskeyRegistration } from '../mfa/passkeys'
import { checkCsrf, CSRF_FIELD } from '../ui/csrf'
import { ownerOf, type Owner } from './account'
import type { OidcEnv } from './context'
import { readPostedForm } from './pages/forms'
import { refusedFormPage } from './pages/errors'

type Ctx = Context<OidcEnv>

const MAX_BODY = 64 * 1024

export function accountPasskeyRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const page = (c: Ctx) => `${c.get('issuer')}/account`

  /** A JSON call of the page's script by a signed-in browser, CSRF-checked. */
  const json =
    (handler: (c: Ctx, owner: Owner, body: Record<string, unknown>) => Promise<Response>) =>
    async (c: Ctx) => {
      c.header('Cache-Control', 'no-store')
      try {
        checkCsrf(
          c,
          new URLSearchParams({ [CSRF_FIELD]: c.req.header('x-csrf-token') ?? '' }),
          deps.config.baseUrl,
        )
      } catch {
        return c.json(
          { error: 'forbidden', error_description: 'The page has expired; reload it.' },
          403,
        )
      }
      const owner = await ownerOf(c, deps)
      if (!owner)
        return c.json(
          { error: 'login_required', error_description: 'This browser is not signed in.' },
          401,
        )
      const text = await c.req.text()
      let body: unknown = {}
      try {
        if (text.length > MAX_BODY) throw new Error('too large')
        body = text === '' ? {} : JSON.parse(text)
      } catch {
        return c.json(
          { error: 'invalid_request', error_description: 'The body must be JSON, at most 64 KiB.' },
          400,
        )
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return c.json(
          { error: 'invalid_request', error_description: 'The body must be a JSON object.' },
          400,
        )
      }
      return handler(c, owner, body as Record<string, unknown>)
    }

  app.post(
    '/account/passkeys/options',
    json(async (c, { account, tenant }) => {
      try {
        return c.json(await startPasskeyRegistration(deps, account, tenant.name))
      } catch (error) {
        if (!(error instanceof EdgepassError)) throw error
        return c.json({ error: 'invalid_request', error_description: error.message }, 400)
      }
    }),
  )

  app.post(
    '/account/passkeys',
    json(async (c, { account }, body) => {
      const { challengeId, response, name } = body
      if (typeof challengeId !== 'string' || typeof response !== 'object' || response === null) {
        return c.json(
          { error: 'invalid_request', error_description: 'challengeId and response are required.' },
          400,
        )
      }
      const outcome = await finishPasskeyRegistration(deps, account, {
        challengeId,
        response,
        name: typeof name === 'string' ? name : '',
      })
      if (outcome.kind === 'refused') {
        return c.json({ error: 'invalid_passkey', error_description: outcome.reason }, 400)
      }
      return c.json({ id: outcome.value.id, name: outcome.value.name, redirectTo: page(c) }, 201)
    }),
  )

  app.post('/account/passkeys/:id/delete', async (c) => {
    try {
      await readPostedForm(c, deps)
    } catch (error) {
      if (!(error instanceof EdgepassError)) throw error
      return refusedFormPage(c, error, 'Open your account page again.')
    }
    const owner = await ownerOf(c, deps)
    if (owner)
      await deletePasskey(deps, owner.tenant.id, owner.account.id, c.req.param('id').slice(0, 64))
    return c.redirect(page(c), 303)
  })
}
