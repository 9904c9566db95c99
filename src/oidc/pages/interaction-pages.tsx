/** @jsxImportSource hono/jsx */
/**
 * The interaction's pages as responses (reference §1.5 item 2): the login page and the consent
 * page of `GET /interaction/<uid>`, each with a fresh CSRF token and a CSP that lets its posts
 * end at the client's redirect URI.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Deps } from '../../deps'
import { qrSvg } from '../../mfa/qr'
import type { OidcEnv } from '../context'
import { ConsentPage, consentTitle } from './consent'
import type { PasskeyEndpoints } from './controls'
import { issuePageCsrfToken } from './forms'
import { LoginPage, loginTitle, type LoginFormError } from './login'
import {
  MFA_SETUP_TITLE,
  MFA_STYLES,
  MFA_TITLE,
  MfaPage,
  MfaSetupPage,
  RECOVERY_CODES_TITLE,
  RecoveryCodesPage,
} from './mfa'
import { PASSKEY_SCRIPT } from './passkey-script'
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
  form: {
    username?: string
    error?: LoginFormError
    status?: ContentfulStatusCode
    upstreams?: { label: string; url: string }[]
  } = {},
): Promise<Response> {
  const { error } = form
  return renderOidcPage(
    c,
    {
      title: loginTitle(view.clientName),
      hasError: error !== undefined,
      status: form.status ?? (error ? 400 : 200),
      formTargets: [formTargetOf(view.redirectUri)],
      script: PASSKEY_SCRIPT,
    },
    <LoginPage
      clientName={view.clientName}
      scopes={describeScopes(view.scopes)}
      action={`${view.url}/login`}
      cancelAction={`${view.url}/abort`}
      csrfToken={issuePageCsrfToken(c, deps)}
      username={form.username}
      error={error}
      passkey={passkeyEndpoints(view)}
      upstreams={form.upstreams}
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

/**
 * The second-factor page (`mfa`); with `error`, shown again after a refused code (400).
 *
 * @example
 * return mfaPage(c, deps, view, { hasPasskeys: true })
 */
export function mfaPage(
  c: Ctx,
  deps: Pick<Deps, 'config'>,
  view: InteractionPageView,
  options: { hasPasskeys: boolean; error?: string },
): Promise<Response> {
  const { error } = options
  return renderOidcPage(
    c,
    {
      title: MFA_TITLE,
      hasError: error !== undefined,
      status: error ? 400 : 200,
      styles: MFA_STYLES,
      formTargets: [formTargetOf(view.redirectUri)],
      script: options.hasPasskeys ? PASSKEY_SCRIPT : undefined,
    },
    <MfaPage
      clientName={view.clientName}
      action={`${view.url}/mfa`}
      cancelAction={`${view.url}/abort`}
      csrfToken={issuePageCsrfToken(c, deps)}
      error={error}
      passkey={options.hasPasskeys ? passkeyEndpoints(view) : undefined}
    />,
  )
}

/** The interaction's passkey calls (`interaction-passkey.ts`). */
const passkeyEndpoints = (view: InteractionPageView): PasskeyEndpoints => ({
  options: `${view.url}/passkey/options`,
  submit: `${view.url}/passkey`,
})

/**
 * The enrolment page (`mfa_setup`) for the factor's seed and key URI.
 *
 * @example
 * return mfaSetupPage(c, deps, view, await setupDetails(deps, interaction))
 */
export function mfaSetupPage(
  c: Ctx,
  deps: Pick<Deps, 'config'>,
  view: InteractionPageView,
  setup: { secret: string; keyUri: string },
  error?: string,
): Promise<Response> {
  return renderOidcPage(
    c,
    {
      title: MFA_SETUP_TITLE,
      hasError: error !== undefined,
      status: error ? 400 : 200,
      styles: MFA_STYLES,
      formTargets: [formTargetOf(view.redirectUri)],
    },
    <MfaSetupPage
      qrSvg={qrSvg(setup.keyUri, 'QR code for your authenticator app')}
      secret={setup.secret}
      action={`${view.url}/mfa/setup`}
      cancelAction={`${view.url}/abort`}
      csrfToken={issuePageCsrfToken(c, deps)}
      error={error}
    />,
  )
}

/**
 * The recovery codes after an enrolment, with the way on.
 *
 * @example
 * return recoveryCodesPage(c, result.recoveryCodes, next)
 */
export function recoveryCodesPage(c: Ctx, codes: string[], continueUrl: string) {
  return renderOidcPage(
    c,
    { title: RECOVERY_CODES_TITLE, styles: MFA_STYLES },
    <RecoveryCodesPage codes={codes} continueUrl={continueUrl} />,
  )
}
