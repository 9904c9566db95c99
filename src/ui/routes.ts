/**
 * The hosted pages (`/ui`) the links in account mails lead to: email verification and password
 * reset. Server-rendered Hono JSX that works without JavaScript; every response carries the
 * headers of `pageHeaders` and every error becomes a page.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { methodNotAllowed } from '../http/methods'
import type { UiEnv } from './env'
import { pageNotFound, uiErrorHandler } from './errors'
import { MAX_FORM_BYTES } from './form'
import { pageHeaders } from './headers'
import { resetRoutes } from './reset'
import { verifyRoutes } from './verify'

/**
 * The `/ui` sub-app, with its own error handler.
 *
 * @example
 * app.route('/ui', uiRoutes(deps))
 */
export function uiRoutes(deps: Deps): Hono<UiEnv> {
  const ui = new Hono<UiEnv>()
  ui.use(pageHeaders())
  ui.use(
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: () => {
        throw new EdgepassError('payload_too_large', 'The form is too large.', {
          developerMessage: `Form bodies are limited to ${MAX_FORM_BYTES} bytes.`,
        })
      },
    }),
  )
  verifyRoutes(ui, deps)
  resetRoutes(ui, deps)
  // The account page lives under its issuer, where the SSO session cookie is sent
  // (src/oidc/account.ts): the default tenant's, `${BASE_URL}/openid/account`.
  ui.get('/account', (c) => c.redirect(`${deps.config.baseUrl}/openid/account`, 303))
  for (const path of ['/verify', '/reset']) ui.all(path, methodNotAllowed(['GET', 'HEAD', 'POST']))
  ui.all('*', pageNotFound)
  ui.onError(uiErrorHandler(deps.log))
  return ui
}
