/** @jsxImportSource hono/jsx */
import { CSRF_FIELD } from './csrf'
import { TOKEN_FIELD } from './form'

/** A problem with one field of the reset form, shown next to it. */
export interface FieldError {
  field: 'password' | 'confirmation'
  message: string
}

export interface ResetFormProps {
  email: string
  username: string
  /** The directory's rules in plain words (`describePasswordRules`). */
  rules: string[]
  token: string
  csrf: string
  error?: FieldError
}

/**
 * The new-password form. Each field's label is bound to it; the rules and the field's error
 * are tied to it with `aria-describedby`, so a screen reader reads them on focus; a field in
 * error is marked `aria-invalid` and takes the focus (`autofocus`: no script needed). Password
 * fields are never filled back in.
 *
 * @example
 * <ResetForm email="ada@example.com" username="ada" rules={rules} token={t} csrf={csrf} />
 */
export function ResetForm(props: ResetFormProps) {
  const { error } = props
  return (
    <>
      <p class="lead">
        Choose a new password for <strong>{props.email}</strong>.
      </p>
      <form method="post" action="reset">
        <input type="hidden" name={CSRF_FIELD} value={props.csrf} />
        <input type="hidden" name={TOKEN_FIELD} value={props.token} />
        {/* For password managers: which account the new password belongs to. Not submitted. */}
        <input
          type="text"
          id="username"
          autocomplete="username"
          value={props.username}
          readonly
          hidden
        />
        <div class="field">
          <label for="password">New password</label>
          <div class="hint" id="password-rules">
            Your password needs:
            <ul>
              {props.rules.map((rule) => (
                <li>{rule}</li>
              ))}
            </ul>
          </div>
          <PasswordInput name="password" describedBy="password-rules" error={error} />
        </div>
        <div class="field">
          <label for="confirmation">Confirm new password</label>
          <PasswordInput name="confirmation" error={error} />
        </div>
        <button type="submit">Change password</button>
      </form>
    </>
  )
}

function PasswordInput(props: {
  name: FieldError['field']
  describedBy?: string
  error: FieldError | undefined
}) {
  const invalid = props.error?.field === props.name
  const errorId = `${props.name}-error`
  const describedBy = [props.describedBy, invalid ? errorId : undefined].filter(Boolean).join(' ')
  return (
    <>
      {invalid && (
        <p class="error" id={errorId} role="alert">
          {props.error!.message}
        </p>
      )}
      <input
        type="password"
        id={props.name}
        name={props.name}
        autocomplete="new-password"
        required
        aria-describedby={describedBy || undefined}
        aria-invalid={invalid ? 'true' : undefined}
        autofocus={invalid}
      />
    </>
  )
}
