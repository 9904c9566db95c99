/**
 * "Sign in with …" on the hosted login (issue "Authentication framework", item 4): an
 * application mapped to a directory whose provider is `oidc` offers that upstream. The browser
 * goes there with the framework's OIDC provider (PKCE, state, nonce sealed in a cookie scoped to
 * the callback), comes back to one fixed callback per directory (exact redirect-URI matching
 * upstream), and the interaction it came from — found through the sealed state, and bound to
 * this browser by its cookie — goes on as after a password.
 *
 * - `GET {issuer}/interaction/{uid}/upstream/{directoryId}` — to the upstream
 * - `GET|POST {issuer}/upstream/{directoryId}/callback` — back from it
 */
import { and, eq } from 'drizzle-orm'
import type { Context, Hono } from 'hono'
import * as schema from '../../db/schema'
import { oidcProvider } from '../auth/providers/oidc'
import type { StrategyRuntime } from '../auth/types'
import type { Deps } from '../deps'
import { signInFromUpstream, type UpstreamSignIn } from '../directory/upstream/accounts'
import {
  openClientSecret,
  upstreamOf,
  upstreamsOfApplication,
  type UpstreamRecord,
} from '../directory/upstream/providers'
import { EdgepassError } from '../errors'
import type { OidcEnv } from './context'
import { finishUpstreamLogin, loadPending } from './interaction'
import { interactionErrorPage, signInRefusedPage } from './pages/errors'

type Ctx = Context<OidcEnv>

const REFUSALS: Record<Extract<UpstreamSignIn, { kind: 'refused' }>['reason'], string> = {
  missing_mandatory_group: 'Your account is not in a group that may sign in here.',
  no_account: 'There is no account here for you yet. Ask an administrator to create one.',
  account_not_linked:
    'An account with your email address already exists here, and the email could not be confirmed on both sides, so the two are not joined. Sign in with your password instead.',
  no_email: 'Your provider did not share an email address, which is needed to create your account.',
  disabled: 'Your account is disabled.',
}

export function upstreamRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  const guarded =
    (handler: (c: Ctx) => Promise<Response>) =>
    async (c: Ctx): Promise<Response> => {
      try {
        return await handler(c)
      } catch (error) {
        return interactionErrorPage(c, error, deps.log)
      }
    }

  app.get(
    '/interaction/:uid/upstream/:directoryId',
    guarded(async (c) => {
      const pending = await loadPending(c, deps)
      const record = await offered(
        c,
        deps,
        pending.application?.id,
        c.req.param('directoryId') ?? '',
      )
      const strategy = runtimeFor(c, deps, record, `/interaction/${pending.interaction.id}`)
      return (await providerFor(deps, record)).begin!(c, strategy)
    }),
  )

  app.on(
    ['GET', 'POST'],
    '/upstream/:directoryId/callback',
    guarded(async (c) => {
      const record = await upstreamOf(deps, c.req.param('directoryId') ?? '')
      const directory = record && (await directoryOf(c, deps, record.directoryId))
      if (!record || !directory) throw new EdgepassError('not_found', 'There is no such provider.')
      const provider = await providerFor(deps, record)
      const result = await provider.complete!(c, runtimeFor(c, deps, record, ''))
      if (result.kind === 'failed') {
        deps.log.warn('upstream sign-in failed', {
          directoryId: record.directoryId,
          reason: result.reason,
        })
        return signInRefusedPage(
          c,
          `The sign-in with ${record.settings.buttonLabel} did not complete.`,
          401,
        )
      }
      const uid = /\/interaction\/([A-Za-z0-9_-]{1,128})$/.exec(result.returnTo ?? '')?.[1]
      if (!uid) throw new EdgepassError('not_found', 'The sign-in request is unknown.')
      const pending = await loadPending(c, deps, uid)
      await offered(c, deps, pending.application?.id, record.directoryId)
      const signIn = await signInFromUpstream(
        deps,
        directory,
        record.settings,
        provider.mapProfile(result.profile),
      )
      if (signIn.kind === 'refused') return signInRefusedPage(c, REFUSALS[signIn.reason])
      return c.redirect(await finishUpstreamLogin(c, deps, pending, signIn.account), 303)
    }),
  )
}

/** The upstream directory, if the application offers it (mapped, enabled, this tenant's). */
async function offered(
  c: Ctx,
  deps: Deps,
  applicationId: string | undefined,
  directoryId: string,
): Promise<UpstreamRecord> {
  const upstreams = applicationId ? await upstreamsOfApplication(deps, applicationId) : []
  const record = upstreams.some((upstream) => upstream.directoryId === directoryId)
    ? await upstreamOf(deps, directoryId)
    : undefined
  if (!record || !(await directoryOf(c, deps, directoryId))) {
    throw new EdgepassError('not_found', 'This application does not offer that provider.')
  }
  return record
}

async function directoryOf(c: Ctx, deps: Deps, directoryId: string) {
  const { directories: d } = schema
  return deps.db
    .select()
    .from(d)
    .where(and(eq(d.id, directoryId), eq(d.tenantId, c.get('tenant').id), eq(d.providerId, 'oidc')))
    .get()
}

async function providerFor(deps: Deps, record: UpstreamRecord) {
  return oidcProvider({
    issuer: record.settings.issuer,
    clientId: record.settings.clientId,
    clientSecret: await openClientSecret(deps, record),
    scopes: record.settings.scopes,
    groupsClaim: record.settings.groupsClaim,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      deps.fetch(input, init)) as typeof fetch,
    // An http:// upstream only while Edgepass itself runs on http (development and tests).
    allowInsecureRequests: deps.config.baseUrl.startsWith('http:'),
  })
}

/** The framework's view of this directory's sign-in: its fixed callback under the issuer. */
function runtimeFor(
  c: Ctx,
  deps: Deps,
  record: UpstreamRecord,
  interactionPath: string,
): StrategyRuntime {
  const issuerPath = new URL(c.get('issuer')).pathname
  return {
    name: record.directoryId,
    config: { provider: record.directoryId, successRedirect: `${issuerPath}${interactionPath}` },
    provider: undefined as never,
    adapter: undefined,
    authenticator: undefined,
    loginPath: `${issuerPath}${interactionPath}/upstream/${record.directoryId}`,
    callbackPath: `${issuerPath}/upstream/${record.directoryId}/callback`,
    secret: deps.config.secretKey,
    allowedRedirects: [],
    baseUrl: deps.config.baseUrl,
  }
}
