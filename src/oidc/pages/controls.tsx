/** @jsxImportSource hono/jsx */
/**
 * Small controls the sign-in pages share: the Cancel form of an interaction step, and the
 * passkey button the page script (`passkey-script.ts`) brings to life.
 */
import { CSRF_FIELD } from '../../ui/csrf'

/**
 * "Cancel" for a sign-in step: posts (with the CSRF field) to the interaction's `…/abort`.
 *
 * @example
 * <CancelForm action={`${url}/abort`} csrfToken={token} />
 */
export function CancelForm(props: { action: string; csrfToken: string }) {
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
      <button type="submit" class="secondary">
        Cancel
      </button>
    </form>
  )
}

/** Where a passkey button asks for options and posts its answer. */
export interface PasskeyEndpoints {
  options: string
  submit: string
  /** The page's CSRF token, for calls that need one (the account page's). */
  csrf?: string
}

/**
 * A button for the passkey script (`passkey-script.ts`), hidden until the script finds WebAuthn,
 * with the line where it reports a failure.
 *
 * @example
 * <PasskeyButton mode="get" label="Sign in with a passkey" endpoints={e} />
 */
export function PasskeyButton(props: {
  mode: 'get' | 'create'
  label: string
  endpoints: PasskeyEndpoints
  nameField?: string
}) {
  return (
    <>
      <button
        type="button"
        class="secondary"
        hidden
        data-passkey={props.mode}
        data-options={props.endpoints.options}
        data-submit={props.endpoints.submit}
        data-csrf={props.endpoints.csrf}
        data-name={props.nameField}
        data-status="passkey-status"
      >
        {props.label}
      </button>
      <p id="passkey-status" class="error" role="status" />
    </>
  )
}
