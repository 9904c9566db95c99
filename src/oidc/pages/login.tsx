/** @jsxImportSource hono/jsx */
import { CSRF_FIELD } from '../../ui/csrf'
import { CancelForm, PasskeyButton, type PasskeyEndpoints } from './controls'
import { ScopeList } from './scope-list'

/** Why the login form is shown again: one field, or the pair (wrong credentials). */
export interface LoginFormError {
  field: 'username' | 'password' | 'credentials'
  message: string
}

export interface LoginPageProps {
  clientName: string
  /** The requested scopes in plain words (`describeScopes`). */
  scopes: string[]
  /** Where the form posts (`…/interaction/<uid>/login`) and where Cancel posts (`…/abort`). */
  action: string
  cancelAction: string
  csrfToken: string
  /** Prefilled: the request's `login_hint`, or what was typed before an error. */
  username?: string
  error?: LoginFormError
  /** The passwordless sign-in's calls; the button shows where the browser has WebAuthn. */
  passkey?: PasskeyEndpoints
  /** "Sign in with …": the application's upstream providers (directories with provider oidc). */
  upstreams?: { label: string; url: string }[]
}

/**
 * The login form: username or email, and password. Labels are bound to their inputs, the
 * autocomplete tokens let password managers fill them, and the focus lands (`autofocus`, no
 * script) on the field in error, else on the first empty one. An error is announced
 * (`role="alert"`) and tied to the fields it concerns (`aria-invalid`, `aria-describedby`).
 * The password is never filled back in.
 *
 * @example
 * <LoginPage clientName="Gitea" scopes={['See your email address']} action={a} cancelAction={b} csrfToken={t} />
 */
export function LoginPage(props: LoginPageProps) {
  const { error } = props
  const invalid = (field: 'username' | 'password') =>
    error !== undefined && (error.field === field || error.field === 'credentials')
  const focus = error
    ? error.field === 'username'
      ? 'username'
      : 'password'
    : props.username
      ? 'password'
      : 'username'
  const describedBy = (field: 'username' | 'password') =>
    invalid(field) ? 'login-error' : undefined
  return (
    <>
      <p class="lead">
        Sign in with your account to continue to <strong>{props.clientName}</strong>.
      </p>
      <ScopeList clientName={props.clientName} scopes={props.scopes} verb="is asking to" />
      <form method="post" action={props.action}>
        <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
        {error && (
          <p class="error" id="login-error" role="alert">
            {error.message}
          </p>
        )}
        <div class="field">
          <label for="username">Username or email</label>
          <input
            type="text"
            id="username"
            name="username"
            value={props.username ?? ''}
            autocomplete="username"
            autocapitalize="none"
            spellcheck={false}
            maxlength={1024}
            required
            autofocus={focus === 'username'}
            aria-invalid={invalid('username') ? 'true' : undefined}
            aria-describedby={describedBy('username')}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            type="password"
            id="password"
            name="password"
            autocomplete="current-password"
            maxlength={1024}
            required
            autofocus={focus === 'password'}
            aria-invalid={invalid('password') ? 'true' : undefined}
            aria-describedby={describedBy('password')}
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
      {props.passkey && (
        <PasskeyButton mode="get" label="Sign in with a passkey" endpoints={props.passkey} />
      )}
      {props.upstreams?.map((upstream) => (
        <p>
          <a class="button secondary" href={upstream.url}>
            Sign in with {upstream.label}
          </a>
        </p>
      ))}
      <CancelForm action={props.cancelAction} csrfToken={props.csrfToken} />
    </>
  )
}

/** The login page's title (and `<h1>`). */
export const loginTitle = (clientName: string) => `Sign in to ${clientName}`
