/**
 * The authorization endpoint (`/auth`, GET and form POST) and its resume step (`/auth/:uid`):
 * validate, then either answer at once (SSO session, remembered consent) or hand over to an
 * interaction (login, consent), whose JSON API lives in `interaction.ts`.
 */
import { and, eq, gt } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { newSecretToken } from '../security/tokens'
import type { AccountRow, OidcClientRow, OidcInteractionRow, OidcSessionRow } from '../store/rows'
import {
  AuthorizationPageError,
  AuthorizationRedirectError,
  deserialiseParams,
  redirectWith,
  serialiseParams,
  validateAuthorizationRequest,
  type AuthorizationParams,
} from './authorization-request'
import { subjectOf } from './claims'
import { findOidcClient, isRedirectUriRegistered } from './clients'
import type { OidcEnv } from './context'
import { owedStep, type SecondStep } from './interaction-mfa'
import { safeDescription } from './errors'
import {
  CODE_TTL_SECONDS,
  findGrant,
  grantCovers,
  storeTokens,
  newToken,
  recordGrant,
} from './grants'
import { verifyOwnIdToken } from './jwt'
import { authorizationErrorPage } from './pages/errors'
import { bindInteraction, currentSession, interactionBinding } from './sessions'

/** node-oidc-provider's interaction lifetime (reference §1.6 item 4). */
export const INTERACTION_TTL_SECONDS = 3600

type Ctx = Context<OidcEnv>

export function authorizeRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  app.get('/auth', async (c) => authorize(c, deps, c.req.query()))
  // B24: the request may come as a form POST.
  app.post('/auth', async (c) => {
    const form = await c.req.parseBody().catch(() => ({}))
    const query = Object.fromEntries(
      Object.entries(form).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
    return authorize(c, deps, query)
  })
  app.get('/auth/:uid', async (c) => resume(c, deps, c.req.param('uid')))
}

async function authorize(c: Ctx, deps: Deps, query: Record<string, string>): Promise<Response> {
  try {
    const clientId = query.client_id
    const client =
      clientId && clientId.length <= 128
        ? await findOidcClient(deps, c.get('tenant').id, clientId)
        : undefined
    const params = validateAuthorizationRequest(query, client, isRedirectUriRegistered)
    return await decide(c, deps, client!, params)
  } catch (error) {
    return authorizationError(c, error)
  }
}

/** Answers from the SSO session when it can; otherwise starts an interaction. */
async function decide(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  params: AuthorizationParams,
): Promise<Response> {
  const session = await currentSession(c, deps)
  const hinted = params.idTokenHint
    ? await verifyOwnIdToken(deps, c.get('tenant').id, c.get('issuer'), params.idTokenHint, {
        ignoreExpiry: true,
      })
    : undefined
  if (params.idTokenHint && !hinted) {
    throw new AuthorizationRedirectError(
      'invalid_request',
      'id_token_hint is not a valid ID token of this issuer.',
      params.redirectUri,
      params.state,
    )
  }
  const account = session ? await sessionAccount(deps, session) : undefined
  const needsLogin =
    !session ||
    !account ||
    params.prompt.has('login') ||
    tooOld(deps, session, params.maxAge) ||
    // B18: a hint naming another user than the session's means that user must log in.
    (hinted !== undefined && hinted.sub !== subjectOf(client, account))
  if (needsLogin && params.prompt.has('none')) {
    throw new AuthorizationRedirectError(
      'login_required',
      'The user is not logged in.',
      params.redirectUri,
      params.state,
    )
  }
  if (!needsLogin) {
    const grant = await findGrant(deps, account!.id, client.id)
    const needsConsent =
      !client.trusted && (params.prompt.has('consent') || !grantCovers(grant, params.scope))
    if (!needsConsent) return issueCode(c, deps, client, params, account!, session!)
    if (params.prompt.has('none')) {
      throw new AuthorizationRedirectError(
        'consent_required',
        'Consent is required.',
        params.redirectUri,
        params.state,
      )
    }
  }
  return startInteraction(c, deps, client, params, needsLogin ? undefined : session)
}

function tooOld(
  deps: Pick<Deps, 'now'>,
  session: OidcSessionRow,
  maxAge: number | undefined,
): boolean {
  return maxAge !== undefined && deps.now().getTime() - session.authTime.getTime() > maxAge * 1000
}

async function sessionAccount(
  deps: Pick<Deps, 'db'>,
  session: OidcSessionRow,
): Promise<AccountRow | undefined> {
  const account = await deps.db
    .select()
    .from(schema.accounts)
    .where(eq(schema.accounts.id, session.accountId))
    .get()
  // A disabled or locked-out account's session no longer counts.
  return account?.status === 'ENABLED' ? account : undefined
}

async function startInteraction(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  params: AuthorizationParams,
  session: OidcSessionRow | undefined,
): Promise<Response> {
  const now = deps.now()
  const id = newSecretToken()
  await deps.db.insert(schema.oidcInteractions).values({
    id,
    tenantId: c.get('tenant').id,
    clientId: client.id,
    params: serialiseParams(params),
    browserHash: await bindInteraction(c, deps, INTERACTION_TTL_SECONDS),
    accountId: session?.accountId ?? null,
    authTime: session?.authTime ?? null,
    amr: session?.amr ?? '[]',
    consentedScope: null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + INTERACTION_TTL_SECONDS * 1000),
  })
  return c.redirect(`${c.get('issuer')}/interaction/${id}`, 303)
}

/** The interaction of `uid`, live and started by this browser; else `not_found`. */
export async function loadInteraction(
  c: Ctx,
  deps: Pick<Deps, 'db' | 'now'>,
  uid: string | undefined,
) {
  const binding = await interactionBinding(c)
  const { oidcInteractions: i } = schema
  const row =
    uid && binding && uid.length <= 128
      ? await deps.db
          .select()
          .from(i)
          .where(
            and(eq(i.id, uid), eq(i.tenantId, c.get('tenant').id), gt(i.expiresAt, deps.now())),
          )
          .get()
      : undefined
  // Bound to the browser that started it: a leaked interaction URL is useless elsewhere.
  if (!row || row.browserHash !== binding) {
    throw new EdgepassError(
      'not_found',
      'This login request has expired or belongs to another browser.',
    )
  }
  return row
}

/** What the interaction still needs before the code can be issued. */
export async function pendingPrompt(
  deps: Pick<Deps, 'db'>,
  interaction: OidcInteractionRow,
  client: OidcClientRow,
): Promise<'login' | SecondStep | 'consent' | undefined> {
  if (!interaction.accountId) return owedStep(interaction) ?? 'login'
  const params = deserialiseParams(interaction.params)
  if (client.trusted || interaction.consentedScope !== null) return undefined
  if (params.prompt.has('consent')) return 'consent'
  const grant = await findGrant(deps, interaction.accountId, client.id)
  return grantCovers(grant, params.scope) ? undefined : 'consent'
}

async function resume(c: Ctx, deps: Deps, uid: string | undefined): Promise<Response> {
  let interaction: OidcInteractionRow
  try {
    interaction = await loadInteraction(c, deps, uid)
  } catch (error) {
    return authorizationError(c, new AuthorizationPageError((error as Error).message))
  }
  const client = await findOidcClient(deps, c.get('tenant').id, interaction.clientId)
  const params = deserialiseParams(interaction.params)
  const session = await currentSession(c, deps)
  const prompt = client ? await pendingPrompt(deps, interaction, client) : 'login'
  if (!client || prompt || !session || session.accountId !== interaction.accountId) {
    return c.redirect(`${c.get('issuer')}/interaction/${interaction.id}`, 303)
  }
  const account = await sessionAccount(deps, session)
  if (!account) return c.redirect(`${c.get('issuer')}/interaction/${interaction.id}`, 303)
  await deps.db
    .delete(schema.oidcInteractions)
    .where(eq(schema.oidcInteractions.id, interaction.id))
  return issueCode(c, deps, client, params, account, session)
}

/** Issues a code under the account's grant and sends the browser back to the client. */
async function issueCode(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  params: AuthorizationParams,
  account: AccountRow,
  session: OidcSessionRow,
): Promise<Response> {
  const grant = await recordGrant(deps, {
    tenantId: c.get('tenant').id,
    clientId: client.id,
    accountId: account.id,
    sessionId: session.id,
    scopes: params.scope,
  })
  const code = await newToken(deps, {
    kind: 'code',
    tenantId: c.get('tenant').id,
    clientId: client.id,
    grantId: grant.id,
    accountId: account.id,
    sessionId: session.id,
    scope: params.scope.join(' '),
    details: JSON.stringify({
      redirectUri: params.redirectUri,
      nonce: params.nonce,
      codeChallenge: params.codeChallenge,
      authTime: session.authTime.getTime(),
      amr: JSON.parse(session.amr),
    }),
    ttlSeconds: CODE_TTL_SECONDS,
  })
  await storeTokens(deps, [code])
  return c.redirect(
    redirectWith(params.redirectUri, {
      code: code.value,
      state: params.state,
      iss: c.get('issuer'),
    }),
    303,
  )
}

/** Redirects an error to a verified redirect URI, or renders it when there is none (B22). */
export function authorizationError(c: Ctx, error: unknown): Response | Promise<Response> {
  c.header('Cache-Control', 'no-store')
  if (error instanceof AuthorizationRedirectError) {
    return c.redirect(
      redirectWith(error.redirectUri, {
        error: error.error,
        error_description: safeDescription(error.description),
        state: error.state,
        iss: c.get('issuer'),
      }),
      303,
    )
  }
  if (error instanceof AuthorizationPageError) return authorizationErrorPage(c, error.message)
  throw error
}
