/**
 * What the filter and the callback can come to, as one union, and the one function that turns an
 * outcome and a strategy's configuration into a response (auth-framework reference §7.3; seed
 * 002's redirects and handlers). A refusal no redirect or handler takes is thrown as an
 * {@link AuthError} carrying its `reason`, for the app's `onError` (Hono's way of `next(err)`).
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { getCookie, setCookie } from 'hono/cookie'
import { safeRedirect } from './redirects'
import { openClaims, sealClaims } from './seal'
import type { Identity, PendingRegistration, StrategyRuntime } from './types'

export type AuthReason =
  | 'no_authenticated_user'
  | 'adapter_failure'
  | 'not_verified'
  | 'no_user'
  | 'missing_mandatory_group'
  | 'account_not_linked'
  | 'sync_failed'
  | 'internal_error'

export type FilterOutcome =
  | { kind: 'authenticated'; identity: Identity }
  | { kind: 'anonymous' }
  | { kind: 'no_authenticated_user' }
  | { kind: 'adapter_failure'; reason: string }
  | { kind: 'not_verified' }
  | { kind: 'no_user'; pending: PendingRegistration }
  | { kind: 'missing_mandatory_group'; required: readonly string[] }
  | { kind: 'account_not_linked' }
  | { kind: 'sync_failed'; error: unknown }
  | { kind: 'internal_error'; reason: string }

export type Refusal = Exclude<FilterOutcome, { kind: 'authenticated' } | { kind: 'anonymous' }>

const STATUS: Record<AuthReason, 401 | 403 | 409 | 502 | 500> = {
  no_authenticated_user: 401,
  adapter_failure: 401,
  not_verified: 401,
  no_user: 403,
  missing_mandatory_group: 403,
  account_not_linked: 409,
  sync_failed: 502,
  internal_error: 500,
}

/** A refusal passed on to the app: `reason` says which (seed 002's `err.reason`). */
export class AuthError extends HTTPException {
  constructor(readonly reason: AuthReason) {
    super(STATUS[reason], { message: reason })
  }
}

const REGISTRATION_COOKIE = 'edgepass_auth_registration'
const REGISTRATION_PURPOSE = 'auth-registration/v1'

/**
 * The registration `registrationRedirect` sent the browser to complete: the strategy and the
 * upstream profile, sealed in a 10-minute cookie; undefined when absent, expired or tampered.
 *
 * @example
 * app.get('/register', async (c) => c.json(await readPendingRegistration(c, secret)))
 */
export async function readPendingRegistration(
  c: Context,
  secret: string,
): Promise<PendingRegistration | undefined> {
  const sealed = getCookie(c, REGISTRATION_COOKIE)
  const claims = sealed && (await openClaims(secret, REGISTRATION_PURPOSE, sealed))
  if (!claims || typeof claims.strategy !== 'string' || typeof claims.profile !== 'object')
    return undefined
  return { strategy: claims.strategy, profile: claims.profile as PendingRegistration['profile'] }
}

/** The response for a refusal, by the strategy's configuration, first match wins. */
export async function respond(
  c: Context,
  strategy: StrategyRuntime,
  outcome: Refusal,
): Promise<Response> {
  const { config } = strategy
  const to = (target: string) =>
    c.redirect(safeRedirect(target, '/', strategy.allowedRedirects), 302)
  switch (outcome.kind) {
    case 'no_authenticated_user': {
      if (config.autoLogin)
        return c.redirect(`${strategy.loginPath}?returnTo=${encodeURIComponent(requested(c))}`, 302)
      if (config.loginRedirect) {
        const target = safeRedirect(config.loginRedirect, '/', strategy.allowedRedirects)
        const separator = target.includes('?') ? '&' : '?'
        return c.redirect(
          `${target}${separator}requested_url=${encodeURIComponent(requested(c))}`,
          302,
        )
      }
      if (config.loginHandler) return handled(c, config.loginHandler)
      if (config.failureRedirect) return to(config.failureRedirect)
      throw new AuthError('no_authenticated_user')
    }
    case 'adapter_failure': {
      await strategy.authenticator?.logout(c)
      if (config.adapterFailureRedirect) return to(config.adapterFailureRedirect)
      if (config.adapterFailureHandler) return config.adapterFailureHandler(c, outcome.reason)
      throw new AuthError('adapter_failure')
    }
    case 'no_user': {
      if (config.registrationRedirect) {
        const sealed = await sealClaims(
          strategy.secret,
          REGISTRATION_PURPOSE,
          { ...outcome.pending },
          600,
        )
        setCookie(c, REGISTRATION_COOKIE, sealed, {
          path: '/',
          httpOnly: true,
          sameSite: 'Lax',
          secure: new URL(strategy.baseUrl ?? c.req.url).protocol === 'https:',
          maxAge: 600,
        })
        return to(config.registrationRedirect)
      }
      if (config.registrationHandler) return config.registrationHandler(c, outcome.pending)
      if (config.noAccountRedirect) return to(config.noAccountRedirect)
      if (config.noAccountHandler) return handled(c, config.noAccountHandler)
      if (config.failureRedirect) return to(config.failureRedirect)
      throw new AuthError('no_user')
    }
    case 'sync_failed': {
      if (config.userSyncErrorHandler) return config.userSyncErrorHandler(c, outcome.error)
      if (config.failureRedirect) return to(config.failureRedirect)
      throw new AuthError('sync_failed')
    }
    // A refused user is never offered registration (the reference's defect 9): terminal.
    default: {
      if (config.failureRedirect)
        return to(
          `${config.failureRedirect}${config.failureRedirect.includes('?') ? '&' : '?'}error=${outcome.kind}`,
        )
      throw new AuthError(outcome.kind)
    }
  }
}

/** The path and query the browser asked for (to come back to after login). */
function requested(c: Context): string {
  const url = new URL(c.req.url)
  return `${url.pathname}${url.search}`
}

async function handled(
  c: Context,
  handler: (c: Context, next: () => Promise<void>) => Response | Promise<Response | void>,
): Promise<Response> {
  const answer = await handler(c, async () => {})
  return answer ?? c.body(null, 204)
}
