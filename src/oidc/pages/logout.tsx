/** @jsxImportSource hono/jsx */
/**
 * The pages of RP-initiated logout (reference §1.6 item 3, OpenID Connect RP-Initiated Logout
 * 1.0 §2): the question asked before the session ends, and the page shown after it when no
 * `post_logout_redirect_uri` takes the browser back. Components only; the end-session route
 * renders them with `renderOidcPage`, issues the token with `issuePageCsrfToken` and reads the
 * post with `readPostedForm`.
 */
import { CSRF_FIELD } from '../../ui/csrf'

export const LOGOUT_CONFIRM_TITLE = 'Do you want to sign out?'
export const LOGGED_OUT_TITLE = 'You are signed out'

export interface LogoutConfirmProps {
  /** The application that asked, when `id_token_hint` or `client_id` named one. */
  clientName?: string
  csrfToken: string
  /** The hidden field that carries `csrfToken`; default `csrf` (`CSRF_FIELD`). */
  csrfField?: string
  /** Where the form posts: the end-session endpoint. */
  action: string
  /** Carried through the post, already checked against the client's registered URIs. */
  postLogoutRedirectUri?: string
  state?: string
  /** Carried through the post, so the POST can check `postLogoutRedirectUri` again. */
  clientId?: string
}

/**
 * Asks before ending the session: a cross-site GET of the end-session endpoint must not sign
 * anyone out by itself (OpenID Connect RP-Initiated Logout 1.0 §6). One button, "Sign out",
 * posts the CSRF field and the carried values; staying signed in is closing the page, so no
 * post ever means "keep my session" and a route cannot misread one.
 *
 * @example
 * return renderOidcPage(
 *   c,
 *   { title: LOGOUT_CONFIRM_TITLE, formTargets: uri ? [formTargetOf(uri)] : [] },
 *   <LogoutConfirmPage clientName="Gitea" csrfToken={issuePageCsrfToken(c, deps)}
 *     action={`${c.get('issuer')}/session/end`} postLogoutRedirectUri={uri} state={state} />,
 * )
 */
export function LogoutConfirmPage(props: LogoutConfirmProps) {
  return (
    <>
      <p class="lead">
        {props.clientName ? (
          <>
            <strong>{props.clientName}</strong> is signing you out.{' '}
          </>
        ) : null}
        Signing out ends your session in this browser, for every application you signed in to with
        this account.
      </p>
      <form method="post" action={props.action}>
        <input type="hidden" name={props.csrfField ?? CSRF_FIELD} value={props.csrfToken} />
        {props.clientId !== undefined && (
          <input type="hidden" name="client_id" value={props.clientId} />
        )}
        {props.postLogoutRedirectUri !== undefined && (
          <input
            type="hidden"
            name="post_logout_redirect_uri"
            value={props.postLogoutRedirectUri}
          />
        )}
        {props.state !== undefined && <input type="hidden" name="state" value={props.state} />}
        <button type="submit">Sign out</button>
      </form>
      <p class="hint">To stay signed in, close this page.</p>
    </>
  )
}

/**
 * Shown after the session ended when there is nowhere to send the browser back to.
 *
 * @example
 * return renderOidcPage(c, { title: LOGGED_OUT_TITLE }, <LoggedOutPage clientName="Gitea" />)
 */
export function LoggedOutPage(props: { clientName?: string }) {
  return (
    <p class="lead">
      {props.clientName ? (
        <>
          You have been signed out of <strong>{props.clientName}</strong> and of this account in
          this browser.
        </>
      ) : (
        <>You have been signed out of this account in this browser.</>
      )}{' '}
      You can close this page.
    </p>
  )
}
