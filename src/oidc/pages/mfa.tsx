/** @jsxImportSource hono/jsx */
/**
 * The second step's pages: the code asked of an account with 2FA, the enrolment forced by the
 * tenant's mandatory 2FA (QR code, the key to type by hand, a first code), and the recovery
 * codes shown once after it. Components only; `interaction-pages.tsx` renders them.
 */
import { raw } from 'hono/html'
import { CSRF_FIELD } from '../../ui/csrf'
import { CancelForm, PasskeyButton, type PasskeyEndpoints } from './controls'

export const MFA_TITLE = 'Enter your verification code'
export const MFA_SETUP_TITLE = 'Set up two-factor authentication'
export const RECOVERY_CODES_TITLE = 'Save your recovery codes'

const REQUIRED_SETUP =
  'Two-factor authentication is required for your account. Scan this code with an authenticator app, then enter the six-digit code it shows.'

export const MFA_STYLES = `
.qr { width: 12rem; height: 12rem; margin: 0 auto 1rem; display: block; }
.secret, .codes { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.codes { columns: 2; padding-left: 1.25rem; }
`

interface CodeFormProps {
  action: string
  cancelAction: string
  csrfToken: string
  error?: string
  label: string
  /** Recovery codes are longer than six digits. */
  allowRecoveryCode: boolean
}

function CodeForm(props: CodeFormProps) {
  return (
    <>
      <form method="post" action={props.action}>
        <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
        {props.error && (
          <p class="error" id="code-error" role="alert">
            {props.error}
          </p>
        )}
        <div class="field">
          <label for="code">{props.label}</label>
          <input
            type="text"
            id="code"
            name="code"
            autocomplete="one-time-code"
            inputmode={props.allowRecoveryCode ? 'text' : 'numeric'}
            autocapitalize="none"
            spellcheck={false}
            maxlength={64}
            required
            autofocus
            aria-invalid={props.error ? 'true' : undefined}
            aria-describedby={props.error ? 'code-error' : undefined}
          />
        </div>
        <button type="submit">Verify</button>
      </form>
      <CancelForm action={props.cancelAction} csrfToken={props.csrfToken} />
    </>
  )
}

/**
 * Asks for the code of the account's authenticator app, or one of its recovery codes.
 *
 * @example
 * <MfaPage clientName="Gitea" action={a} cancelAction={b} csrfToken={t} />
 */
export function MfaPage(
  props: Omit<CodeFormProps, 'label' | 'allowRecoveryCode'> & {
    clientName: string
    /** Offered when the account has passkeys. */
    passkey?: PasskeyEndpoints
  },
) {
  return (
    <>
      <p class="lead">
        Your account has two-factor authentication. Enter the code your authenticator app shows to
        continue to <strong>{props.clientName}</strong>, or one of your recovery codes.
      </p>
      <CodeForm {...props} label="Verification or recovery code" allowRecoveryCode />
      {props.passkey && (
        <PasskeyButton mode="get" label="Use a passkey instead" endpoints={props.passkey} />
      )}
    </>
  )
}

/**
 * Enrolment: the QR code (an SVG drawn here), the key for typing by hand, and a first code.
 *
 * @example
 * <MfaSetupPage qrSvg={svg} secret="JBSW…" action={a} cancelAction={b} csrfToken={t} />
 */
export function MfaSetupPage(
  props: Omit<CodeFormProps, 'label' | 'allowRecoveryCode'> & {
    qrSvg: string
    secret: string
    /** The lead paragraph; by default, why a sign-in asks for it. */
    intro?: string
  },
) {
  return (
    <>
      <p class="lead">{props.intro ?? REQUIRED_SETUP}</p>
      <div class="qr">{raw(props.qrSvg)}</div>
      <p>
        Or enter this key by hand:{' '}
        <span class="secret">{props.secret.match(/.{1,4}/g)?.join(' ')}</span>
      </p>
      <CodeForm {...props} label="Six-digit code" allowRecoveryCode={false} />
    </>
  )
}

/**
 * The recovery codes, once: each signs in once when the authenticator is lost.
 *
 * @example
 * <RecoveryCodesPage codes={codes} continueUrl={next} />
 */
export function RecoveryCodesPage(props: { codes: string[]; continueUrl: string }) {
  return (
    <>
      <p class="lead">
        Two-factor authentication is on. If you lose your authenticator, each of these codes lets
        you sign in once. Keep them somewhere safe: they are not shown again.
      </p>
      <ol class="codes">
        {props.codes.map((code) => (
          <li>{code}</li>
        ))}
      </ol>
      <p>
        <a href={props.continueUrl}>I have saved them — continue</a>
      </p>
    </>
  )
}
