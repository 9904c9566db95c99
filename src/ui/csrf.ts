/**
 * Cross-site request forgery defence for the hosted forms: a double-submit token (OWASP CSRF
 * Prevention Cheat Sheet) plus `Origin` and `Sec-Fetch-Site` checks. The GET that shows a form
 * sets a random value in an HttpOnly, SameSite=Strict cookie and in a hidden field; the POST
 * must bring both, equal. A forged cross-site POST carries neither the cookie (SameSite) nor a
 * way to read it.
 */
import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import type { CookieOptions } from 'hono/utils/cookie'
import { EdgepassError } from '../errors'
import { timingSafeEqual } from '../security/constant-time'
import { isTokenShaped, newSecretToken } from '../security/tokens'

/** The hidden field that carries the token back. */
export const CSRF_FIELD = 'csrf'

/**
 * The cookie's name and attributes for a deployment at `baseUrl`, for the forms under `path`
 * (default: the `/ui` pages; the OIDC face passes its issuer's path).
 */
export function csrfCookie(
  baseUrl: string,
  path?: string,
): { name: string; options: CookieOptions } {
  const url = new URL(baseUrl)
  const common = { httpOnly: true, sameSite: 'Strict' } as const
  if (url.protocol === 'https:') {
    // `__Host-` makes browsers refuse the cookie unless it is Secure, host-only and Path=/
    // (RFC 6265bis §4.1.3.2), so a sibling subdomain cannot plant a value of its choosing: the
    // known bypass of double-submit tokens. The prefix requires Path=/, not /ui.
    return { name: '__Host-edgepass-csrf', options: { ...common, secure: true, path: '/' } }
  }
  return {
    name: 'edgepass-csrf',
    options: { ...common, path: path ?? `${url.pathname.replace(/\/$/, '')}/ui` },
  }
}

/**
 * The token for a form about to be shown, set as the cookie (scoped to `path`, see
 * {@link csrfCookie}). A token already in the cookie is kept, so that two tabs opened from two
 * mails both still post.
 */
export function issueCsrfToken(c: Context, baseUrl: string, path?: string): string {
  const { name, options } = csrfCookie(baseUrl, path)
  const current = getCookie(c, name)
  const token = current !== undefined && isTokenShaped(current) ? current : newSecretToken()
  setCookie(c, name, token, options)
  return token
}

/**
 * Refuses a form post (403, nothing done) unless the cookie and the hidden field hold the same
 * token, and what the browser says about the post's origin does not point elsewhere.
 */
export function checkCsrf(c: Context, form: URLSearchParams, baseUrl: string): void {
  // With `Referrer-Policy: no-referrer` browsers send `Origin: null` even on our own posts
  // (Fetch standard, "append a request `Origin` header"), so "null" says nothing; any other value
  // must be ours. `Sec-Fetch-Site` does not depend on the referrer policy and still tells a
  // cross-site post apart.
  const origin = c.req.header('origin')
  if (origin !== undefined && origin !== 'null' && origin !== new URL(baseUrl).origin) {
    throw forbidden(`Origin ${JSON.stringify(origin.slice(0, 100))} is not this service's.`)
  }
  const site = c.req.header('sec-fetch-site')
  if (site !== undefined && site !== 'same-origin') {
    throw forbidden(`Sec-Fetch-Site is ${JSON.stringify(site.slice(0, 20))}, not same-origin.`)
  }
  const cookie = getCookie(c, csrfCookie(baseUrl).name) ?? ''
  const field = form.get(CSRF_FIELD) ?? ''
  if (!isTokenShaped(cookie) || !timingSafeEqual(cookie, field)) {
    throw forbidden('The CSRF cookie and form field are missing or differ.')
  }
}

function forbidden(developerMessage: string): EdgepassError {
  return new EdgepassError('forbidden', 'This form has expired or was sent from another site.', {
    developerMessage,
  })
}
