/**
 * A signed-in user's own SSO sessions (reference §1.6 item 2; Cloudron's "manage app sessions"
 * and `DELETE /api/v1/profile/sessions/current`): every browser signed in to the account, the
 * applications used in each, and signing any of them out, which revokes every token issued in
 * it (refresh tokens included). The browser's session cookie is the credential; administrators
 * have the same through `/v1/accounts/{id}/oidcSessions`.
 *
 * - `GET {issuer}/account/sessions`: the page; its forms post (CSRF token) to
 *   `…/account/sessions/{sid}/end` and `…/account/sessions/end-all`
 * - `GET {issuer}/profile/sessions`: the same as JSON
 * - `DELETE {issuer}/profile/sessions/current` and `DELETE {issuer}/profile/sessions/{sid}`
 *
 * Another account's session is as missing as an unknown one (404).
 */
import { eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import { html } from 'hono/html'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import type { OidcSessionRow } from '../store/rows'
import type { OidcEnv } from './context'
import { LOGGED_OUT_TITLE, LoggedOutPage } from './pages/logout'
import { issuePageCsrfToken, readPostedForm } from './pages/forms'
import { refusedFormPage } from './pages/errors'
import { renderOidcPage } from './pages/render'
import { NoSessionPage, SESSIONS_STYLES, SESSIONS_TITLE, SessionsPage } from './pages/sessions'
import {
  endAccountSessions,
  endSessions,
  findSessionSummary,
  listAccountSessions,
  type SessionSummary,
} from './session-admin'
import { clearSessionCookie, currentSession } from './sessions'

type Ctx = Context<OidcEnv>

/**
 * Registers the page, its form posts and the JSON routes.
 *
 * @example
 * accountSessionRoutes(oidcApp, deps)
 */
export function accountSessionRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const pageUrl = (c: Ctx) => `${c.get('issuer')}/account/sessions`

  app.get('/account/sessions', async (c) => {
    const session = await currentSession(c, deps)
    if (!session) return renderOidcPage(c, { title: SESSIONS_TITLE }, NoSessionPage())
    const [account, sessions] = await Promise.all([
      accountNameOf(deps, session),
      listAccountSessions(deps, session.tenantId, session.accountId),
    ])
    return renderOidcPage(
      c,
      { title: SESSIONS_TITLE, styles: SESSIONS_STYLES },
      SessionsPage({
        accountName: account,
        sessions,
        currentId: session.id,
        action: pageUrl(c),
        csrfToken: issuePageCsrfToken(c, deps),
      }),
    )
  })

  app.post('/account/sessions/end-all', async (c) =>
    onPagePost(c, async (session) => {
      await endAccountSessions(deps, session.tenantId, session.accountId)
      return signedOut(c)
    }),
  )

  app.post('/account/sessions/:sid/end', async (c) =>
    onPagePost(c, async (session) => {
      const target = await ownSession(deps, session, c.req.param('sid'))
      if (!target) return formError(c, 404, 'This session has already ended.')
      await endSessions(deps, session.tenantId, [target.id])
      if (target.id === session.id) return signedOut(c)
      return c.redirect(pageUrl(c), 303)
    }),
  )

  /** A checked form post by a signed-in browser; without a session, back to the page. */
  const onPagePost = async (
    c: Ctx,
    act: (session: OidcSessionRow) => Promise<Response>,
  ): Promise<Response> => {
    try {
      await readPostedForm(c, deps)
    } catch (error) {
      if (!(error instanceof EdgepassError)) throw error
      return refusedFormPage(c, error, 'Open your sessions again.')
    }
    const session = await currentSession(c, deps)
    if (!session) return c.redirect(pageUrl(c), 303)
    return act(session)
  }

  app.get('/profile/sessions', async (c) => {
    c.header('Cache-Control', 'no-store')
    const session = await currentSession(c, deps)
    if (!session) return loginRequired(c)
    const sessions = await listAccountSessions(deps, session.tenantId, session.accountId)
    return c.json({ items: sessions.map((summary) => sessionJson(summary, session.id)) })
  })

  app.delete('/profile/sessions/:sid', async (c) => {
    c.header('Cache-Control', 'no-store')
    const refusal = crossSiteRefusal(c, deps)
    if (refusal) return refusal
    const session = await currentSession(c, deps)
    if (!session) return loginRequired(c)
    const sid = c.req.param('sid')
    const target = sid === 'current' ? session : await ownSession(deps, session, sid)
    if (!target) {
      return c.json({ error: 'not_found', error_description: 'There is no such session.' }, 404)
    }
    await endSessions(deps, session.tenantId, [target.id])
    if (target.id === session.id) clearSessionCookie(c)
    return c.body(null, 204)
  })
}

/** The session `sid` if it is a live one of the same account as `session`. */
async function ownSession(
  deps: Deps,
  session: OidcSessionRow,
  sid: string,
): Promise<SessionSummary | undefined> {
  const found = await findSessionSummary(deps, session.tenantId, sid)
  return found?.accountId === session.accountId ? found : undefined
}

async function accountNameOf(deps: Deps, session: OidcSessionRow): Promise<string> {
  const account = await deps.db
    .select({ username: schema.accounts.username })
    .from(schema.accounts)
    .where(eq(schema.accounts.id, session.accountId))
    .get()
  return account?.username ?? ''
}

function sessionJson(summary: SessionSummary, currentId: string) {
  return {
    id: summary.id,
    current: summary.id === currentId,
    createdAt: summary.createdAt.toISOString(),
    authTime: summary.authTime.toISOString(),
    expiresAt: summary.expiresAt.toISOString(),
    userAgent: summary.userAgent,
    amr: summary.amr,
    applications: summary.clients.map((client) => ({
      clientId: client.clientId,
      name: client.applicationName,
    })),
  }
}

function signedOut(c: Ctx): Promise<Response> {
  clearSessionCookie(c)
  return renderOidcPage(c, { title: LOGGED_OUT_TITLE }, LoggedOutPage({}))
}

function formError(c: Ctx, status: 404, text: string): Promise<Response> {
  return renderOidcPage(
    c,
    { title: 'Your sessions could not be changed', hasError: true, status },
    html`<p class="lead" role="alert">${text}</p>`,
  )
}

function loginRequired(c: Ctx): Response {
  return c.json(
    { error: 'login_required', error_description: 'This browser is not signed in.' },
    401,
  )
}

/**
 * Ending sessions with the cookie alone must not be something another site can make the
 * browser do. A cross-origin DELETE needs a CORS preflight that these routes never grant; this
 * refuses what still says it comes from elsewhere (a sibling subdomain is same-site).
 */
function crossSiteRefusal(c: Ctx, deps: Pick<Deps, 'config'>): Response | undefined {
  const origin = c.req.header('origin')
  const site = c.req.header('sec-fetch-site')
  const foreignOrigin =
    origin !== undefined && origin !== 'null' && origin !== new URL(deps.config.baseUrl).origin
  if (foreignOrigin || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
    return c.json(
      { error: 'forbidden', error_description: 'Sessions are ended from this service only.' },
      403,
    )
  }
  return undefined
}
