import type { MiddlewareHandler } from 'hono'
import { NONCE, secureHeaders } from 'hono/secure-headers'

export interface PageHeadersOptions {
  /**
   * Where a form's post may end up besides this origin: CSP `form-action` also governs the
   * redirects that follow a post (Chromium refuses the navigation), so a sign-in form whose
   * post ends at a client's redirect URI must name that URI's origin (or private-use scheme).
   */
  formTargets?: readonly string[]
  /**
   * Lets the page run its one inline script (by nonce) and call back to this origin: the
   * passkey ceremonies. Pages without it run no script at all.
   */
  scripts?: boolean
}

/**
 * The headers of every hosted page, error pages included:
 * - `Referrer-Policy: no-referrer`: the page's URL holds a live token (`?sptoken=`), which any
 *   link or subresource would otherwise leak to a third party in `Referer`;
 * - `Cache-Control: no-store`: no shared or back-button cache keeps a page bound to a token;
 * - a Content-Security-Policy that runs no script at all and allows only the page's own
 *   `<style>` (by nonce), posts forms only to this origin, and forbids framing (clickjacking),
 *   as does `X-Frame-Options: DENY` for older browsers.
 *
 * HSTS is left to the deployment: a header sent from one path would bind the whole host.
 *
 * @example
 * ui.use(pageHeaders())
 */
export function pageHeaders(options: PageHeadersOptions = {}): MiddlewareHandler {
  const secure = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [NONCE],
      ...(options.scripts ? { scriptSrc: [NONCE], connectSrc: ["'self'"] } : {}),
      formAction: ["'self'", ...(options.formTargets ?? [])],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    strictTransportSecurity: false,
  })
  return async (c, next) => {
    await secure(c, async () => {
      await next()
      c.res.headers.set('Cache-Control', 'no-store')
    })
  }
}
