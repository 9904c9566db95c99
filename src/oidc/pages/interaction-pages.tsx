/** @jsxImportSource hono/jsx */
/**
 * The interaction's pages as responses (reference §1.5 item 2): the login page and the consent
 * page of `GET /interaction/<uid>`, each with a fresh CSRF token and a CSP that lets its posts
 * end at the client's redirect URI.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Deps } from '../../deps'
import type { OidcEnv } from '../context'
import { ConsentPage, consentTitle } from './consent'
import { issuePageCsrfToken } from './forms'
import { LoginPage, loginTitle, type LoginFormError } from './login'
import { formTargetOf, renderOidcPage } from './render'
import { describeScopes } from './scopes'

type Ctx = Context<OidcEnv>

/** What the pages of one interaction show and where their forms post. */
export interface InteractionPageView {
  /** `${issuer}/interaction/<uid>`: the page's own address; its forms post below it. */
  url: string
  clientName: string
  /** The requested scopes, as in the request. */
  scopes: readonly string[]
  /** The client's redirect URI: where Allow, Cancel and a login may end up. */
  redirectUri: string
}

/**
 * The login page; with `error`, shown again after a refused post (400 unless `status` says).
 *
 * @example
 * return loginPage(c, deps, view, { username: params.loginHint })
 */
export function loginPage(
  c: Ctx,
  deps: Pick<Deps, 'config'>,
  view: InteractionPageView,
  form: { username?: string; error?: LoginFormError; status?: ContentfulStatusCode } = {},
): Promise<Response> {
  const { error } = form
  return renderOidcPage(
    c,
    {
      title: loginTitle(view.clientName),
      hasError: error !== undefined,
      status: form.status ?? (error ? 400 : 200),
      formTargets: [formTargetOf(view.redirectUri)],
    },
    <LoginPage
      clientName={view.clientName}
      scopes={describeScopes(view.scopes)}
      action={`${view.url}/login`}
      cancelAction={`${view.url}/abort`}
      csrfToken={issuePageCsrfToken(c, deps)}
      username={form.username}
      error={error}
    />,
  )
}

/**
 * The consent page for the signed-in `accountName`.
 *
 * @example
 * return consentPage(c, deps, view, account.username)
 */
export function consentPage(
  c: Ctx,
  deps: Pick<Deps, 'config'>,
  view: InteractionPageView,
  accountName: string,
): Promise<Response> {
  return renderOidcPage(
    c,
    { title: consentTitle(view.clientName), formTargets: [formTargetOf(view.redirectUri)] },
    <ConsentPage
      clientName={view.clientName}
      accountName={accountName}
      scopes={describeScopes(view.scopes)}
      action={`${view.url}/confirm`}
      cancelAction={`${view.url}/abort`}
      csrfToken={issuePageCsrfToken(c, deps)}
    />,
  )
}
