/**
 * The interaction API behind hosted login (reference §1.5, Cloudron's `/interaction/:uid/…`):
 * JSON in, JSON out, so the browser page and scripted clients share it. Bound to the browser
 * that started the authorization (cookie, SameSite=Lax: a cross-site POST carries none).
 */
import { eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { attemptLogin, loginError, normaliseLogin } from '../directory/login'
import { clientAddressOf } from '../rest/context'
import { enforceRateLimits, LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS } from '../security/rate-limit'
import type { OidcClientRow } from '../store/rows'
import { deserialiseParams, redirectWith } from './authorization-request'
import { loadInteraction, pendingPrompt } from './authorize'
import { findOidcClient } from './clients'
import type { OidcEnv } from './context'
import { OAuthError } from './errors'
import { recordGrant } from './grants'
import { currentSession, startSession } from './sessions'

type Ctx = Context<OidcEnv>

const MAX_FIELD = 1024

export function interactionRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const load = async (c: Ctx) => {
    const interaction = await loadInteraction(c, deps, c.req.param('uid'))
    const client = await findOidcClient(deps, c.get('tenant').id, interaction.clientId)
    if (!client) throw new EdgepassError('not_found', 'The client no longer exists.')
    return { interaction, client }
  }
  const resumeUrl = (c: Ctx, uid: string) => `${c.get('issuer')}/auth/${uid}`

  const details = async (c: Ctx) => {
    const { interaction, client } = await load(c)
    const params = deserialiseParams(interaction.params)
    const application = await deps.db
      .select({ name: schema.applications.name })
      .from(schema.applications)
      .where(eq(schema.applications.id, client.applicationId))
      .get()
    c.header('Cache-Control', 'no-store')
    return c.json({
      uid: interaction.id,
      prompt: (await pendingPrompt(deps, interaction, client)) ?? 'none',
      client: { clientId: client.id, name: application?.name ?? client.id },
      scopes: params.scope,
      loginHint: params.loginHint ?? null,
      resume: resumeUrl(c, interaction.id),
    })
  }
  // The hosted HTML page arrives with the hosted login UI; until then both answer JSON.
  app.get('/interaction/:uid', details)
  app.get('/interaction/:uid/details', details)

  app.post('/interaction/:uid/login', async (c) => {
    const { interaction, client } = await load(c)
    const body = await readCredentials(c)
    const tenant = c.get('tenant')
    await enforceRateLimits(deps, [
      [`login:account:${tenant.id}:${normaliseLogin(body.username)}`, LOGIN_PER_ACCOUNT],
      [`login:address:${clientAddressOf(c as never)}`, LOGIN_PER_ADDRESS],
    ])
    const application = await deps.db
      .select()
      .from(schema.applications)
      .where(eq(schema.applications.id, client.applicationId))
      .get()
    if (!application) throw new EdgepassError('not_found', 'The application no longer exists.')
    const outcome = await attemptLogin(deps, tenant, application, body.username, body.password, {
      kind: 'all',
    })
    if (outcome.kind === 'refused') {
      const error = loginError(outcome.code)
      c.header('Cache-Control', 'no-store')
      return c.json({ error: 'invalid_credentials', error_description: error.message }, 400)
    }
    const now = deps.now()
    const amr = ['pwd']
    const session = await startSession(c, deps, outcome.account.id, now, amr)
    const updated = {
      ...interaction,
      accountId: outcome.account.id,
      authTime: now,
      amr: session.amr,
    }
    await deps.db
      .update(schema.oidcInteractions)
      .set({ accountId: updated.accountId, authTime: now, amr: updated.amr, consentedScope: null })
      .where(eq(schema.oidcInteractions.id, interaction.id))
    return next(c, updated, client)
  })

  app.post('/interaction/:uid/confirm', async (c) => {
    const { interaction, client } = await load(c)
    const session = await currentSession(c, deps)
    if (!interaction.accountId || !session || session.accountId !== interaction.accountId) {
      throw new OAuthError('invalid_request', 'Log in before consenting.')
    }
    const params = deserialiseParams(interaction.params)
    await recordGrant(deps, {
      tenantId: c.get('tenant').id,
      clientId: client.id,
      accountId: interaction.accountId,
      sessionId: session.id,
      scopes: params.scope,
    })
    await deps.db
      .update(schema.oidcInteractions)
      .set({ consentedScope: params.scope.join(' ') })
      .where(eq(schema.oidcInteractions.id, interaction.id))
    c.header('Cache-Control', 'no-store')
    return c.json({ redirectTo: resumeUrl(c, interaction.id) })
  })

  app.post('/interaction/:uid/abort', async (c) => {
    const { interaction } = await load(c)
    const params = deserialiseParams(interaction.params)
    await deps.db
      .delete(schema.oidcInteractions)
      .where(eq(schema.oidcInteractions.id, interaction.id))
    c.header('Cache-Control', 'no-store')
    return c.json({
      redirectTo: redirectWith(params.redirectUri, {
        error: 'access_denied',
        error_description: 'The user cancelled the sign-in.',
        state: params.state,
        iss: c.get('issuer'),
      }),
    })
  })

  /** After a step: the next prompt, or where to resume. The 2FA issue adds `mfa` here. */
  const next = async (
    c: Ctx,
    interaction: Parameters<typeof pendingPrompt>[1],
    client: OidcClientRow,
  ) => {
    c.header('Cache-Control', 'no-store')
    const prompt = await pendingPrompt(deps, interaction, client)
    if (prompt) return c.json({ prompt })
    return c.json({ redirectTo: resumeUrl(c, interaction.id) })
  }
}

/** `{username, password}` as JSON or a form; 400 when missing or oversized. */
async function readCredentials(c: Ctx): Promise<{ username: string; password: string }> {
  const type = c.req.header('content-type') ?? ''
  let body: Record<string, unknown>
  try {
    body = type.includes('application/json')
      ? ((await c.req.json()) as Record<string, unknown>)
      : ((await c.req.parseBody()) as Record<string, unknown>)
  } catch {
    throw new OAuthError('invalid_request', 'The body must be JSON or a form.')
  }
  const { username, password } = body ?? {}
  if (typeof username !== 'string' || typeof password !== 'string' || !username || !password) {
    throw new OAuthError('invalid_request', 'username and password are required.')
  }
  if (username.length > MAX_FIELD || password.length > MAX_FIELD) {
    throw new OAuthError('invalid_request', 'username or password is too long.')
  }
  return { username, password }
}
