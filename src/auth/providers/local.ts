/**
 * The `local` provider: a username and password checked by an Edgepass tenant, either in the
 * same process (the app embeds Edgepass: `attemptLogin` through an application's stores) or over
 * HTTP (any app: the application's `loginAttempts`, authenticated with an API key). The app's
 * own login form posts `username` and `password` to `/auth/<strategy>/callback`; a post from
 * another site (its Origin) is refused, so a page elsewhere cannot log the browser in.
 */
import type { Context } from 'hono'
import type { Provider, ProviderResult } from '../types'
import { mapStandardClaims } from './trusted-jwt'

/** Checks a username and password; the account's claims, or null when refused. */
export type CheckCredentials = (
  username: string,
  password: string,
) => Promise<{ sub: string; email?: string; name?: string; groups?: string[] } | null>

const MAX_FIELD = 1024

/**
 * @example
 * localProvider({ check: edgepassOverHttp({ baseUrl, applicationId, apiKeyId, apiKeySecret }) })
 */
export function localProvider(options: { check: CheckCredentials; loginPage?: string }): Provider {
  return {
    type: 'local',
    async begin(c, strategy) {
      const target = options.loginPage ?? strategy.config.loginRedirect ?? '/login'
      return c.redirect(target, 302)
    },
    async complete(c: Context): Promise<ProviderResult> {
      if (c.req.method !== 'POST')
        return { kind: 'failed', reason: 'the login form posts its fields' }
      const origin = c.req.header('origin')
      if (origin && origin !== new URL(c.req.url).origin) {
        return { kind: 'failed', reason: 'a login form on another site' }
      }
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
      const username = typeof form.username === 'string' ? form.username : ''
      const password = typeof form.password === 'string' ? form.password : ''
      if (!username || !password || username.length > MAX_FIELD || password.length > MAX_FIELD) {
        return { kind: 'failed', reason: 'a username and a password are needed' }
      }
      const claims = await options.check(username, password)
      if (!claims) return { kind: 'failed', reason: 'invalid username or password' }
      const returnTo = typeof form.returnTo === 'string' ? form.returnTo : undefined
      return { kind: 'profile', profile: { ...claims, email_verified: true }, returnTo }
    },
    verify: async () => null, // no bearer tokens: the session cookie carries the login
    mapProfile: (profile) => mapStandardClaims(profile),
  }
}

/**
 * Credentials checked by an Edgepass over HTTP: `POST /v1/applications/{id}/loginAttempts` with
 * an API key of the tenant; the account's groups are read with the same key.
 */
export function edgepassOverHttp(options: {
  baseUrl: string
  applicationId: string
  apiKeyId: string
  apiKeySecret: string
  fetch?: typeof fetch
}): CheckCredentials {
  const send = options.fetch ?? fetch
  const authorization = `Basic ${btoa(`${options.apiKeyId}:${options.apiKeySecret}`)}`
  const base = options.baseUrl.replace(/\/+$/, '')
  return async (username, password) => {
    const bytes = new TextEncoder().encode(`${username}:${password}`)
    const value = btoa(String.fromCharCode(...bytes))
    const response = await send(
      `${base}/v1/applications/${encodeURIComponent(options.applicationId)}/loginAttempts?expand=account`,
      {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'basic', value }),
      },
    )
    if (response.status !== 200) return null
    const { account } = (await response.json()) as {
      account: { href: string; email?: string; fullName?: string; givenName?: string }
    }
    const groups = await send(`${account.href.replace(/^https?:\/\/[^/]+/, base)}/groups`, {
      headers: { authorization },
    })
    const list = groups.ok
      ? (((await groups.json()) as { items?: { name: string }[] }).items ?? [])
      : []
    return {
      sub: account.href.split('/').pop()!,
      email: account.email,
      name: account.fullName ?? account.givenName,
      groups: list.map((group) => group.name),
    }
  }
}
