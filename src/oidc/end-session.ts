/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at `/session/end`, GET or form
 * POST, with `id_token_hint`, `client_id`, `post_logout_redirect_uri` and `state`.
 *
 * Ending a session deletes its row, clears its cookie, and revokes every code, access and
 * refresh token issued in it (reference §1.6 item 2) — `offline_access` included: Edgepass
 * treats a logout as "sign me out of the apps I used in this browser". Consent stays.
 *
 * Logout CSRF: a GET is a link any site can make the browser follow, and the session cookie
 * (SameSite=Lax) goes with it. So the session ends at once only when a valid ID token hint names
 * that very session (its `sid`, or its user when the token has no `sid`); otherwise the user
 * confirms on a page whose form carries a token derived from the session, which a foreign page
 * cannot know. `post_logout_redirect_uri` must be registered for the client, compared as exact
 * strings; anything else is an error page, never a redirect (no open redirect).
 */
import { eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import { html } from 'hono/html'
import type { JWTPayload } from 'jose'
import * as schema from '../../db/schema'
import { formRefusalText, readUrlEncodedForm } from '../http/url-encoded-form'
import type { Deps } from '../deps'
import { timingSafeEqual } from '../security/constant-time'
import { base64UrlEncode, utf8 } from '../security/encoding'
import type { OidcClientRow, OidcSessionRow } from '../store/rows'
import { redirectWith } from './authorization-request'
import { subjectOf } from './claims'
import { findOidcClient, isPostLogoutRedirectUriRegistered } from './clients'
import type { OidcEnv } from './context'
import { verifyOwnIdToken } from './jwt'
import { CSRF_FIELD } from './pages/forms'
import {
  LOGGED_OUT_TITLE,
  LoggedOutPage,
  LOGOUT_CONFIRM_TITLE,
  LogoutConfirmPage,
} from './pages/logout'
import { formTargetOf, renderOidcPage } from './pages/render'
import { clearSessionCookie, currentSession, sessionRevocation } from './sessions'

type Ctx = Context<OidcEnv>

const MAX_BODY = 16_384
/** ID tokens with many claims (groups) run to a few kilobytes. */
const MAX_HINT = 8192
const MAX_PARAM = 2048
/** The request's parameters, then the confirmation form's own fields. */
const PARAMETERS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state']
const FORM_FIELDS = [CSRF_FIELD, 'logout']

/** A logout request whose hint, client and redirect URI have been checked. */
interface LogoutRequest {
  params: Record<string, string>
  client?: OidcClientRow
  hint?: JWTPayload
  postLogoutRedirectUri?: string
  state?: string
}

/** What to do with a checked request and the browser's session. */
type Decision =
  | { kind: 'end'; session: OidcSessionRow }
  | { kind: 'confirm'; session: OidcSessionRow }
  /** The user chose "Stay signed in". */
  | { kind: 'stay' }
  /** Nothing to end: no live session in this browser. */
  | { kind: 'signed-out' }
  /** An RP's cross-site form post, which carries no Lax cookie: resent as a top-level GET. */
  | { kind: 'relay' }
  | { kind: 'forged' }

class LogoutPageError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 = 400,
  ) {
    super(message)
  }
}

const FORGED = 'This sign-out form has expired or was sent from another site.'

/**
 * Registers `GET` and `POST /session/end`.
 *
 * @example
 * endSessionRoutes(oidcApp, deps)
 */
export function endSessionRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const handle = async (c: Ctx) => {
    try {
      const params = await readParameters(c)
      const request = await checkRequest(c, deps, params)
      return await respond(c, deps, request, await decide(c, deps, request))
    } catch (error) {
      if (!(error instanceof LogoutPageError)) throw error
      return renderOidcPage(
        c,
        { title: 'This sign-out request cannot continue', hasError: true, status: error.status },
        paragraph(error.message, true),
      )
    }
  }
  app.get('/session/end', handle)
  app.post('/session/end', handle)
}

/** The query (GET) or form (POST) parameters this endpoint reads, each at most once. */
async function readParameters(c: Ctx): Promise<Record<string, string>> {
  let params: URLSearchParams
  if (c.req.method === 'POST') {
    const reading = readUrlEncodedForm(c.req.header('content-type'), await c.req.text(), MAX_BODY)
    if (reading.kind === 'refused') {
      throw new LogoutPageError(
        reading.problem === 'wrong_type'
          ? 'The request must be a form post.'
          : formRefusalText(reading),
      )
    }
    params = reading.params
  } else {
    params = new URL(c.req.url).searchParams
  }
  const read: Record<string, string> = {}
  for (const name of [...PARAMETERS, ...(c.req.method === 'POST' ? FORM_FIELDS : [])]) {
    const values = params.getAll(name)
    if (values.length > 1) throw new LogoutPageError(`The ${name} parameter is repeated.`)
    const value = values[0]
    if (value === undefined || value === '') continue
    if (value.length > (name === 'id_token_hint' ? MAX_HINT : MAX_PARAM)) {
      throw new LogoutPageError(`The ${name} parameter is too long.`)
    }
    read[name] = value
  }
  return read
}

/** Verifies the hint, resolves the client, and checks the redirect URI against it. */
async function checkRequest(
  c: Ctx,
  deps: Deps,
  params: Record<string, string>,
): Promise<LogoutRequest> {
  const tenantId = c.get('tenant').id
  let hint: JWTPayload | undefined
  if (params.id_token_hint) {
    // OIDC Core §3.1.2.1 and RP-Initiated Logout §2: an expired ID token is still a good hint.
    hint = await verifyOwnIdToken(deps, tenantId, c.get('issuer'), params.id_token_hint, {
      ignoreExpiry: true,
    })
    if (!hint) throw new LogoutPageError('id_token_hint is not a valid ID token of this issuer.')
  }
  const hintedClient = hint ? audienceOf(hint) : undefined
  if (params.client_id && hintedClient && params.client_id !== hintedClient) {
    throw new LogoutPageError('client_id does not match the audience of id_token_hint.')
  }
  const clientId = params.client_id ?? hintedClient
  const client = clientId ? await findOidcClient(deps, tenantId, clientId) : undefined
  if (clientId && !client) throw new LogoutPageError('Unknown client_id.')
  const uri = params.post_logout_redirect_uri
  if (uri !== undefined) {
    // RP-Initiated Logout §3: without a client there is nothing to check the URI against.
    if (!client) {
      throw new LogoutPageError('post_logout_redirect_uri needs id_token_hint or client_id.')
    }
    if (!isPostLogoutRedirectUriRegistered(client, uri)) {
      throw new LogoutPageError('The post_logout_redirect_uri is not registered for this client.')
    }
  }
  return { params, client, hint, postLogoutRedirectUri: uri, state: params.state }
}

/** The client an ID token was issued to: its single audience, or `azp` among several. */
function audienceOf(hint: JWTPayload): string | undefined {
  if (typeof hint.aud === 'string') return hint.aud
  if (typeof hint.azp === 'string') return hint.azp
  return hint.aud?.length === 1 ? hint.aud[0] : undefined
}

async function decide(c: Ctx, deps: Deps, request: LogoutRequest): Promise<Decision> {
  const session = await currentSession(c, deps)
  const { params } = request
  const confirmation = c.req.method === 'POST' && params.logout !== undefined
  if (!session) {
    return c.req.method === 'POST' && !confirmation ? { kind: 'relay' } : { kind: 'signed-out' }
  }
  if (confirmation) {
    if (params.logout !== 'yes') return { kind: 'stay' }
    const presented = params[CSRF_FIELD] ?? ''
    return timingSafeEqual(presented, await csrfToken(session))
      ? { kind: 'end', session }
      : { kind: 'forged' }
  }
  if (request.hint && (await hintNamesSession(deps, request, session))) {
    return { kind: 'end', session }
  }
  return { kind: 'confirm', session }
}

/**
 * Whether the hint speaks for this browser's session: the same `sid`, or, for a token without
 * one, the same user. Anyone holding some ID token of this issuer (their own, say) must not be
 * able to sign another person out with a link.
 */
async function hintNamesSession(
  deps: Deps,
  request: LogoutRequest,
  session: OidcSessionRow,
): Promise<boolean> {
  const { hint, client } = request
  if (typeof hint?.sid === 'string') return hint.sid === session.id
  if (!client || typeof hint?.sub !== 'string') return false
  const account = await deps.db
    .select()
    .from(schema.accounts)
    .where(eq(schema.accounts.id, session.accountId))
    .get()
  return account !== undefined && subjectOf(client, account) === hint.sub
}

/** Carries a decision out: ask, refuse, relay, or end the session and say goodbye. */
async function respond(
  c: Ctx,
  deps: Deps,
  request: LogoutRequest,
  decision: Decision,
): Promise<Response> {
  c.header('Cache-Control', 'no-store')
  switch (decision.kind) {
    case 'forged':
      throw new LogoutPageError(FORGED, 403)
    case 'relay':
      return c.redirect(relayUrl(c, request), 303)
    case 'confirm':
      return confirmPage(c, deps, request, await csrfToken(decision.session))
    case 'stay':
      if (request.postLogoutRedirectUri) return backToClient(c, request)
      return renderOidcPage(
        c,
        { title: 'You are still signed in' },
        paragraph('You can close this page.'),
      )
    case 'end':
      await deps.db.batch(sessionRevocation(deps, [decision.session.id]))
      break
    case 'signed-out':
      break
  }
  // Also when no session was live: a stale cookie goes either way.
  clearSessionCookie(c)
  if (request.postLogoutRedirectUri) return backToClient(c, request)
  return renderOidcPage(
    c,
    { title: LOGGED_OUT_TITLE },
    LoggedOutPage({ clientName: await clientNameOf(deps, request.client) }),
  )
}

/** 303 to the registered `post_logout_redirect_uri`, with `state` when the RP sent one. */
function backToClient(c: Ctx, request: LogoutRequest): Response {
  return c.redirect(redirectWith(request.postLogoutRedirectUri!, { state: request.state }), 303)
}

/**
 * The request as a GET of this endpoint. A top-level GET navigation carries SameSite=Lax
 * cookies even when a cross-site page started it; a cross-site POST does not, so without this
 * an RP's logout form would find no session and sign nobody out.
 */
function relayUrl(c: Ctx, request: LogoutRequest): string {
  const query = new URLSearchParams()
  for (const name of PARAMETERS) {
    const value = request.params[name]
    if (value !== undefined) query.set(name, value)
  }
  return `${c.get('issuer')}/session/end?${query}`
}

/**
 * The confirmation form's token: derived from the session's stored hash, so it needs no storage
 * or cookie of its own, dies with the session, and cannot be computed without the session cookie.
 */
async function csrfToken(session: OidcSessionRow): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', utf8(`logout-csrf:${session.tokenHash}`))
  return base64UrlEncode(new Uint8Array(digest))
}

async function confirmPage(
  c: Ctx,
  deps: Deps,
  request: LogoutRequest,
  token: string,
): Promise<Response> {
  const uri = request.postLogoutRedirectUri
  return renderOidcPage(
    c,
    // `form-action` governs the redirect after the post too (Chromium): allow the RP's URI.
    { title: LOGOUT_CONFIRM_TITLE, formTargets: uri ? [formTargetOf(uri)] : [] },
    LogoutConfirmPage({
      clientName: await clientNameOf(deps, request.client),
      csrfToken: token,
      action: `${c.get('issuer')}/session/end`,
      postLogoutRedirectUri: uri,
      state: request.state,
      clientId: request.client?.id,
    }),
  )
}

async function clientNameOf(deps: Deps, client: OidcClientRow | undefined) {
  if (!client) return undefined
  const { applications } = schema
  const application = await deps.db
    .select({ name: applications.name })
    .from(applications)
    .where(eq(applications.id, client.applicationId))
    .get()
  return application?.name
}

/** One lead paragraph (`html` escapes the text), announced at once when it is an error. */
function paragraph(text: string, alert = false) {
  return alert ? html`<p class="lead" role="alert">${text}</p>` : html`<p class="lead">${text}</p>`
}
