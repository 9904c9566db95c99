/**
 * The interaction behind hosted login (reference §1.5, Cloudron's `/interaction/:uid/…`): one
 * set of steps (log in, consent, cancel) with two faces. Browsers get pages: `GET
 * /interaction/<uid>` shows the pending prompt and form posts answer 303 to the next page or to
 * the resume URL. Scripts get JSON: `GET …/details`, and JSON posts answer `{prompt}` or
 * `{redirectTo}`.
 *
 * Bound to the browser that started the authorization by a cookie (SameSite=Lax: a cross-site
 * POST carries none). Against a forger the cookie does not stop (a sibling subdomain is
 * same-site), form posts must also carry the page's CSRF token, and JSON posts must be
 * `Content-Type: application/json`, which no form can send and a cross-origin script can send
 * only after a CORS preflight.
 */
import { eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { attemptLogin, loginError, normaliseLogin } from '../directory/login'
import { clientAddressOf } from '../rest/context'
import { enforceRateLimits, LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS } from '../security/rate-limit'
import type { AccountRow, ApplicationRow, OidcClientRow, OidcInteractionRow } from '../store/rows'
import { upstreamsOfApplication } from '../directory/upstream/providers'
import { deserialiseParams, redirectWith, type AuthorizationParams } from './authorization-request'
import { loadInteraction, pendingPrompt } from './authorize'
import { findOidcClient } from './clients'
import type { OidcEnv } from './context'
import { OAuthError } from './errors'
import { recordGrant } from './grants'
import { interactionErrorPage } from './pages/errors'
import { readPostedForm } from './pages/forms'
import {
  passMfaSetupStep,
  passMfaStep,
  secondStepAfterPassword,
  setupDetails,
  type StepResult,
} from './interaction-mfa'
import {
  credentialsProblem,
  fieldError,
  MAX_CODE,
  MAX_FIELD,
  readJsonCode,
  readJsonCredentials,
  readJsonPasskey,
} from './interaction-input'
import { passkeyOptions, passPasskeyStep } from './interaction-passkey'
import { listPasskeys } from '../mfa/passkeys'
import {
  consentPage,
  loginPage,
  mfaPage,
  mfaSetupPage,
  recoveryCodesPage,
  type InteractionPageView,
} from './pages/interaction-pages'
import type { LoginFormError } from './pages/login'
import { currentSession, startSession } from './sessions'

type Ctx = Context<OidcEnv>

/** A live interaction of this browser, with its client, application and request. */
export interface Pending {
  interaction: OidcInteractionRow
  client: OidcClientRow
  application: ApplicationRow | undefined
  params: AuthorizationParams
}

/** What a login attempt came to: refused, or authenticated with what is still to do. */
type LoginStep =
  | { kind: 'refused'; message: string }
  | { kind: 'authenticated'; prompt: Awaited<ReturnType<typeof pendingPrompt>> }

export function interactionRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  /** A handler of the pages' face: whatever it throws is answered as a page. */
  const page =
    (handler: (c: Ctx) => Promise<Response>) =>
    async (c: Ctx): Promise<Response> => {
      try {
        return await handler(c)
      } catch (error) {
        return interactionErrorPage(c, error, deps.log)
      }
    }
  /** A step's POST: JSON bodies to the JSON face, anything else to the pages (a form, or 415). */
  const post = (
    step: string,
    json: (c: Ctx) => Promise<Response>,
    form: (c: Ctx) => Promise<Response>,
  ) => app.post(`/interaction/:uid/${step}`, (c) => (isJsonRequest(c) ? json(c) : page(form)(c)))

  app.get('/interaction/:uid/details', async (c) => {
    const pending = await loadPending(c, deps)
    const { interaction, client, params } = pending
    c.header('Cache-Control', 'no-store')
    const prompt = (await pendingPrompt(deps, interaction, client)) ?? 'none'
    return c.json({
      uid: interaction.id,
      prompt,
      ...(prompt === 'mfa_setup' ? { mfaSetup: await setupDetails(deps, interaction) } : {}),
      client: { clientId: client.id, name: clientNameOf(pending) },
      scopes: params.scope,
      loginHint: params.loginHint ?? null,
      upstreams: await upstreamButtons(c, deps, pending),
      resume: resumeUrl(c, interaction.id),
    })
  })

  app.get(
    '/interaction/:uid',
    page(async (c) => showPrompt(c, deps, await loadPending(c, deps))),
  )

  post(
    'login',
    async (c) => {
      const pending = await loadPending(c, deps)
      const { username, password } = await readJsonCredentials(c)
      const step = await logIn(c, deps, pending, username, password)
      c.header('Cache-Control', 'no-store')
      if (step.kind === 'refused') {
        return c.json({ error: 'invalid_credentials', error_description: step.message }, 400)
      }
      if (step.prompt) return c.json({ prompt: step.prompt })
      return c.json({ redirectTo: resumeUrl(c, pending.interaction.id) })
    },
    async (c) => {
      const form = await readPostedForm(c, deps)
      const pending = await loadPending(c, deps)
      const view = viewOf(c, pending)
      const username = (form.get('username') ?? '').slice(0, MAX_FIELD)
      const password = form.get('password') ?? ''
      const problem = credentialsProblem(form.get('username'), password)
      const upstreams = await upstreamButtons(c, deps, pending)
      if (problem) {
        return loginPage(c, deps, view, { username, error: fieldError(problem), upstreams })
      }
      const step = await logIn(c, deps, pending, username, password)
      if (step.kind === 'refused') {
        const error: LoginFormError = { field: 'credentials', message: step.message }
        return loginPage(c, deps, view, { username, error, upstreams })
      }
      return c.redirect(step.prompt ? view.url : resumeUrl(c, pending.interaction.id), 303)
    },
  )

  post(
    'mfa',
    async (c) => {
      const pending = await loadPending(c, deps)
      const code = await readJsonCode(c)
      return secondStepJson(c, deps, pending, await passMfaStep(deps, pending.interaction, code))
    },
    async (c) => {
      const form = await readPostedForm(c, deps)
      const pending = await loadPending(c, deps)
      const code = (form.get('code') ?? '').slice(0, MAX_CODE)
      const result = await passMfaStep(deps, pending.interaction, code)
      return secondStepPage(c, deps, pending, result, async (error) =>
        mfaPage(c, deps, viewOf(c, pending), {
          hasPasskeys: await accountHasPasskeys(deps, pending.interaction),
          error,
        }),
      )
    },
  )

  post(
    'mfa/setup',
    async (c) => {
      const pending = await loadPending(c, deps)
      const code = await readJsonCode(c)
      const result = await passMfaSetupStep(deps, pending.interaction, code)
      return secondStepJson(c, deps, pending, result)
    },
    async (c) => {
      const form = await readPostedForm(c, deps)
      const pending = await loadPending(c, deps)
      const code = (form.get('code') ?? '').slice(0, MAX_CODE)
      const result = await passMfaSetupStep(deps, pending.interaction, code)
      return secondStepPage(c, deps, pending, result, async (error) =>
        mfaSetupPage(
          c,
          deps,
          viewOf(c, pending),
          await setupDetails(deps, pending.interaction),
          error,
        ),
      )
    },
  )

  app.post('/interaction/:uid/passkey/options', async (c) => {
    const pending = await loadPending(c, deps)
    // Each call stores a challenge row: counted per address like sign-in attempts.
    await enforceRateLimits(deps, [
      [`login:address:${clientAddressOf(c as never)}`, LOGIN_PER_ADDRESS],
    ])
    c.header('Cache-Control', 'no-store')
    return c.json(await passkeyOptions(deps, pending.interaction))
  })

  app.post('/interaction/:uid/passkey', async (c) => {
    const pending = await loadPending(c, deps)
    const input = await readJsonPasskey(c)
    const tenant = await deps.db
      .select()
      .from(schema.tenants)
      .where(eq(schema.tenants.id, c.get('tenant').id))
      .get()
    if (!tenant) throw new EdgepassError('not_found', 'There is no such issuer.')
    const result = await passPasskeyStep(
      deps,
      tenant,
      pending.application,
      pending.interaction,
      input,
      clientAddressOf(c as never),
    )
    return secondStepJson(c, deps, pending, result, 'invalid_passkey')
  })

  post(
    'confirm',
    async (c) => {
      const redirectTo = await confirm(c, deps, await loadPending(c, deps))
      c.header('Cache-Control', 'no-store')
      return c.json({ redirectTo })
    },
    async (c) => {
      await readPostedForm(c, deps)
      return c.redirect(await confirm(c, deps, await loadPending(c, deps)), 303)
    },
  )

  post(
    'abort',
    async (c) => {
      const redirectTo = await abort(c, deps, await loadPending(c, deps))
      c.header('Cache-Control', 'no-store')
      return c.json({ redirectTo })
    },
    async (c) => {
      await readPostedForm(c, deps)
      return c.redirect(await abort(c, deps, await loadPending(c, deps)), 303)
    },
  )
}

const resumeUrl = (c: Ctx, uid: string) => `${c.get('issuer')}/auth/${uid}`

const clientNameOf = (pending: Pending) => pending.application?.name ?? pending.client.id

const viewOf = (c: Ctx, pending: Pending): InteractionPageView => ({
  url: `${c.get('issuer')}/interaction/${pending.interaction.id}`,
  clientName: clientNameOf(pending),
  scopes: pending.params.scope,
  redirectUri: pending.params.redirectUri,
})

/** `Content-Type: application/json` (any parameters): the JSON face's requests. */
function isJsonRequest(c: Ctx): boolean {
  return /^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')
}

/** The application's "Sign in with …" buttons: where each upstream sign-in starts. */
async function upstreamButtons(c: Ctx, deps: Deps, pending: Pending) {
  if (!pending.application) return []
  const upstreams = await upstreamsOfApplication(deps, pending.application.id)
  return upstreams.map((upstream) => ({
    label: upstream.label,
    url: `${c.get('issuer')}/interaction/${pending.interaction.id}/upstream/${upstream.directoryId}`,
  }))
}

/**
 * An upstream provider vouched for `account` (src/oidc/interaction-upstream.ts): the rest is as
 * after a password (a local second factor when one is owed, then the session). Answers where the
 * browser goes on: the interaction's page, which shows what is left or resumes.
 */
export async function finishUpstreamLogin(
  c: Ctx,
  deps: Deps,
  pending: Pending,
  account: AccountRow,
): Promise<string> {
  const tenant = await deps.db
    .select()
    .from(schema.tenants)
    .where(eq(schema.tenants.id, account.tenantId))
    .get()
  const owed = tenant && (await secondStepAfterPassword(deps, tenant, account, pending.interaction))
  // RFC 8176 has no value for a federated sign-in; `fed` is the one Entra ID and others use.
  if (!owed) await completeLogin(c, deps, pending, account.id, ['fed'])
  return viewOf(c, pending).url
}

export async function loadPending(c: Ctx, deps: Deps, uid = c.req.param('uid')): Promise<Pending> {
  const interaction = await loadInteraction(c, deps, uid)
  const client = await findOidcClient(deps, c.get('tenant').id, interaction.clientId)
  if (!client) throw new EdgepassError('not_found', 'The client no longer exists.')
  const application = await deps.db
    .select()
    .from(schema.applications)
    .where(eq(schema.applications.id, client.applicationId))
    .get()
  return { interaction, client, application, params: deserialiseParams(interaction.params) }
}

/** The page of the pending prompt, or on to the resume URL when nothing is pending. */
async function showPrompt(c: Ctx, deps: Deps, pending: Pending): Promise<Response> {
  const { interaction, client, params } = pending
  const prompt = await pendingPrompt(deps, interaction, client)
  const view = viewOf(c, pending)
  if (prompt === 'login') {
    const upstreams = await upstreamButtons(c, deps, pending)
    return loginPage(c, deps, view, { username: params.loginHint, upstreams })
  }
  if (prompt === 'mfa') {
    return mfaPage(c, deps, view, { hasPasskeys: await accountHasPasskeys(deps, interaction) })
  }
  if (prompt === 'mfa_setup') {
    return mfaSetupPage(c, deps, view, await setupDetails(deps, interaction))
  }
  if (prompt === 'consent') {
    const account = await deps.db
      .select({ username: schema.accounts.username })
      .from(schema.accounts)
      .where(eq(schema.accounts.id, interaction.accountId!))
      .get()
    if (account) return consentPage(c, deps, view, account.username)
    // The account went away since it logged in: someone must log in again.
    return loginPage(c, deps, view, { username: params.loginHint })
  }
  return c.redirect(resumeUrl(c, interaction.id), 303)
}

/**
 * Checks the password (rate-limited per login and per address), then starts the browser's
 * session and binds the interaction to the account.
 */
async function logIn(
  c: Ctx,
  deps: Deps,
  pending: Pending,
  username: string,
  password: string,
): Promise<LoginStep> {
  const { interaction, application } = pending
  const { id: tenantId } = c.get('tenant')
  await enforceRateLimits(deps, [
    [`login:account:${tenantId}:${normaliseLogin(username)}`, LOGIN_PER_ACCOUNT],
    [`login:address:${clientAddressOf(c as never)}`, LOGIN_PER_ADDRESS],
  ])
  // The tenant's login settings as they are now, not as the issuer cache remembers the tenant.
  const tenant = await deps.db
    .select()
    .from(schema.tenants)
    .where(eq(schema.tenants.id, tenantId))
    .get()
  if (!application || !tenant) {
    throw new EdgepassError('not_found', 'The application no longer exists.')
  }
  const outcome = await attemptLogin(deps, tenant, application, username, password, {
    kind: 'all',
  })
  if (outcome.kind === 'refused') {
    return { kind: 'refused', message: loginError(outcome.code).message }
  }
  const owed = await secondStepAfterPassword(deps, tenant, outcome.account, interaction)
  if (owed) return { kind: 'authenticated', prompt: owed }
  return completeLogin(c, deps, pending, outcome.account.id, ['pwd'])
}

/**
 * Every step passed: starts the browser's session and binds the interaction to the account;
 * answers what is left (consent, or nothing).
 */
async function completeLogin(
  c: Ctx,
  deps: Deps,
  pending: Pending,
  accountId: string,
  amr: string[],
): Promise<LoginStep> {
  const { interaction, client } = pending
  const now = deps.now()
  const session = await startSession(c, deps, accountId, now, amr)
  const changes = {
    accountId,
    authTime: now,
    amr: session.amr,
    consentedScope: null,
    mfaAccountId: null,
    mfaSetupFactorId: null,
  }
  await deps.db
    .update(schema.oidcInteractions)
    .set(changes)
    .where(eq(schema.oidcInteractions.id, interaction.id))
  return {
    kind: 'authenticated',
    prompt: await pendingPrompt(deps, { ...interaction, ...changes }, client),
  }
}

/** A second step's outcome as the JSON face answers it. */
async function secondStepJson(
  c: Ctx,
  deps: Deps,
  pending: Pending,
  result: StepResult,
  error = 'invalid_code',
) {
  c.header('Cache-Control', 'no-store')
  if (result.kind === 'refused') {
    return c.json({ error, error_description: result.message }, 400)
  }
  const step = await completeLogin(c, deps, pending, result.accountId, result.amr)
  const codes = result.recoveryCodes ? { recoveryCodes: result.recoveryCodes } : {}
  if (step.kind === 'authenticated' && step.prompt) return c.json({ prompt: step.prompt, ...codes })
  return c.json({ redirectTo: resumeUrl(c, pending.interaction.id), ...codes })
}

/** A second step's outcome as the pages answer it: the page again, codes, or on. */
async function secondStepPage(
  c: Ctx,
  deps: Deps,
  pending: Pending,
  result: StepResult,
  again: (error: string) => Promise<Response>,
) {
  if (result.kind === 'refused') return again(result.message)
  const step = await completeLogin(c, deps, pending, result.accountId, result.amr)
  const view = viewOf(c, pending)
  const next =
    step.kind === 'authenticated' && step.prompt ? view.url : resumeUrl(c, pending.interaction.id)
  if (result.recoveryCodes) return recoveryCodesPage(c, result.recoveryCodes, next)
  return c.redirect(next, 303)
}

/** Records the grant of the requested scopes; answers the resume URL. */
async function confirm(c: Ctx, deps: Deps, pending: Pending): Promise<string> {
  const { interaction, client, params } = pending
  const session = await currentSession(c, deps)
  if (!interaction.accountId || !session || session.accountId !== interaction.accountId) {
    throw new OAuthError('invalid_request', 'Log in before consenting.')
  }
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
  return resumeUrl(c, interaction.id)
}

/** Ends the interaction; answers the client's redirect URI with `access_denied`. */
async function abort(c: Ctx, deps: Deps, pending: Pending): Promise<string> {
  const { interaction, params } = pending
  await deps.db
    .delete(schema.oidcInteractions)
    .where(eq(schema.oidcInteractions.id, interaction.id))
  return redirectWith(params.redirectUri, {
    error: 'access_denied',
    error_description: 'The user cancelled the sign-in.',
    state: params.state,
    iss: c.get('issuer'),
  })
}

/** Whether the account owing a second factor can give it with a passkey. */
async function accountHasPasskeys(deps: Deps, interaction: OidcInteractionRow): Promise<boolean> {
  if (!interaction.mfaAccountId) return false
  return (await listPasskeys(deps, interaction.tenantId, interaction.mfaAccountId)).length > 0
}
