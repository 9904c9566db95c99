/**
 * Authenticators: how an authenticated identity is bound to the browser (seed 002). The sealed
 * session cookie (httpOnly, SameSite=Lax, Secure over https; JWE with a key derived from the
 * secret) and `none` (stateless apps: every request presents its token).
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { openClaims, sealClaims } from './seal'
import type { Authenticator, Identity, Presented } from './types'

export interface SessionCookieAuthenticator extends Authenticator {
  /** The identity in the cookie: `none`, `identity`, or `invalid` when tampered with or expired. */
  read(c: Context): Promise<Presented>
}

const PURPOSE = 'auth-session/v1'

/**
 * @example
 * const session = sessionCookieAuthenticator({ secret: env.AUTH_SECRET, ttlSeconds: 8 * 3600 })
 */
export function sessionCookieAuthenticator(options: {
  secret: string
  cookie?: string
  ttlSeconds?: number
  /**
   * `Secure` cookies; default: when the request came over https. Set it behind a proxy that
   * terminates TLS (the app then sees http:// URLs).
   */
  secure?: boolean
}): SessionCookieAuthenticator {
  const name = options.cookie ?? 'edgepass_auth'
  const ttl = options.ttlSeconds ?? 8 * 3600
  return {
    type: 'session',
    async login(c, identity) {
      const sealed = await sealClaims(options.secret, PURPOSE, { identity }, ttl)
      setCookie(c, name, sealed, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: options.secure ?? new URL(c.req.url).protocol === 'https:',
        maxAge: ttl,
      })
    },
    async logout(c) {
      deleteCookie(c, name, { path: '/' })
    },
    async read(c) {
      const value = getCookie(c, name)
      if (!value) return { kind: 'none' }
      const claims = await openClaims(options.secret, PURPOSE, value)
      const identity = claims?.identity as Identity | undefined
      if (!identity || typeof identity.id !== 'string') {
        return { kind: 'invalid', reason: 'the session cookie is not valid' }
      }
      return { kind: 'identity', identity }
    },
  }
}

/** Binds nothing: for APIs where every request carries its token. */
export function noneAuthenticator(): Authenticator {
  return { type: 'none', login: async () => {}, logout: async () => {} }
}
