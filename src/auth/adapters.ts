/**
 * Adapters: how a request presents an identity (seed 002). A session cookie the app sealed
 * itself, a bearer token, a custom header, or the default (session cookie, then bearer). Tokens
 * are never read from the query string: URLs end up in logs, history and Referer headers.
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import type { Adapter, Presented } from './types'
import type { SessionCookieAuthenticator } from './authenticators'

/**
 * The identity in a session cookie sealed by `authenticator`: trusted as it is, and `invalid`
 * (an adapter failure) when the cookie is there but tampered with or expired.
 *
 * @example
 * const session = sessionCookieAuthenticator({ secret })
 * const adapters = { session: sessionAdapter(session) }
 */
export function sessionAdapter(authenticator: SessionCookieAuthenticator): Adapter {
  return { type: 'session', identify: (c) => authenticator.read(c) }
}

/** A token in the `Authorization: Bearer` header. */
export function bearerAdapter(): Adapter {
  return {
    type: 'bearer',
    async identify(c) {
      const header = c.req.header('authorization')
      if (!header) return { kind: 'none' }
      const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(header)
      return match
        ? { kind: 'token', token: match[1]! }
        : { kind: 'invalid', reason: 'malformed Authorization header' }
    },
  }
}

/** A token in a custom header (e.g. set by a trusted proxy), or in a cookie. */
export function headerAdapter(options: { header: string }): Adapter {
  return {
    type: 'header',
    async identify(c) {
      const value = c.req.header(options.header)?.trim()
      return value ? { kind: 'token', token: value } : { kind: 'none' }
    },
  }
}

export function cookieAdapter(options: { cookie: string }): Adapter {
  return {
    type: 'cookie',
    async identify(c) {
      const value = getCookie(c, options.cookie)
      return value ? { kind: 'token', token: value } : { kind: 'none' }
    },
  }
}

/** The first of `adapters` that finds something (the seed's default: session cookie, then bearer). */
export function defaultAdapter(...adapters: Adapter[]): Adapter {
  return {
    type: 'default',
    async identify(c: Context): Promise<Presented> {
      for (const adapter of adapters) {
        const presented = await adapter.identify(c)
        if (presented.kind !== 'none') return presented
      }
      return { kind: 'none' }
    },
  }
}
