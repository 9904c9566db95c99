/**
 * Pages on the OpenID Connect face, in the hosted pages' layout and under their headers
 * (`src/ui`): CSP with a nonce for the one stylesheet and no script, `no-store`, no referrer,
 * no framing. Applied per page rather than as middleware, so the JSON answers of the same
 * routes stay as they are, and so each page can name where its forms' posts may end up.
 */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { pageHeaders } from '../../ui/headers'
import { renderPage, type PageOptions } from '../../ui/layout'
import type { OidcEnv } from '../context'
import { SIGN_IN_STYLES } from './styles'

export interface OidcPageOptions extends PageOptions {
  /**
   * Where the page's forms may end up after redirects (see {@link formTargetOf}): a post whose
   * redirects lead to a client would otherwise be stopped by `form-action 'self'`.
   */
  formTargets?: readonly string[]
}

/**
 * Answers a complete page: the layout, `content`, and the hosted pages' headers.
 *
 * @example
 * return renderOidcPage(c, { title: LOGGED_OUT_TITLE }, <LoggedOutPage clientName="Gitea" />)
 */
export async function renderOidcPage(
  c: Context<OidcEnv>,
  page: OidcPageOptions,
  content: Child,
): Promise<Response> {
  const headers = pageHeaders({ formTargets: page.formTargets, scripts: page.script !== undefined })
  await headers(c, async () => {
    c.res = await renderPage(c, { ...page, styles: SIGN_IN_STYLES + (page.styles ?? '') }, content)
  })
  return c.res
}

/**
 * The CSP source a form post may be redirected to on its way to `uri`: its origin, or its
 * private-use scheme (`com.example.app:`). CSP host sources cannot name an IPv6 literal, so
 * `http://[::1]:8080/cb` allows its scheme, `http:`.
 *
 * @example
 * formTargetOf('https://rp.example.com/callback?x=1') // 'https://rp.example.com'
 */
export function formTargetOf(uri: string): string {
  const url = new URL(uri)
  const web = url.protocol === 'https:' || url.protocol === 'http:'
  return web && !url.hostname.startsWith('[') ? url.origin : url.protocol
}
