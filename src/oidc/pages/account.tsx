/** @jsxImportSource hono/jsx */
/**
 * The account self-service page (Cloudron's profile; issue "2FA" item 5): profile (read-only
 * under the tenant's lock profile), password change, two-factor authentication and a link to
 * the sessions page. Every form posts below `${issuer}/account` with the CSRF field.
 */
import { CSRF_FIELD } from '../../ui/csrf'
import { PasskeyButton } from './controls'

export const ACCOUNT_TITLE = 'Your account'

export const ACCOUNT_STYLES = `
section + section { margin-top: 2rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.75rem; }
.notice { padding: 0.5rem 0.75rem; border-left: 4px solid var(--accent); }
input[type="email"] {
  display: block; width: 100%; padding: 0.625rem 0.75rem; border: 2px solid var(--border);
  border-radius: 0.5rem; background: transparent; color: inherit; font: inherit;
}
input[disabled] { opacity: 0.7; }
.passkeys { padding-left: 1.25rem; }
.passkeys form { margin: 0.25rem 0 0.75rem; }
`

export interface AccountPageProps {
  action: string
  csrfToken: string
  username: string
  givenName: string
  surname: string
  email: string
  lockProfile: boolean
  hasTotp: boolean
  recoveryCodesLeft: number
  mandatoryMfa: boolean
  passkeys: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }[]
  /** A success line or an error for the form just posted. */
  notice?: { text: string; error: boolean }
}

/** A labelled profile input, read-only (disabled) under the tenant's lock profile. */
function Field(props: {
  id: string
  label: string
  value: string
  max: number
  locked: boolean
  autocomplete: string
  type?: 'text' | 'email'
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        type={props.type ?? 'text'}
        id={props.id}
        name={props.id}
        value={props.value}
        maxlength={props.max}
        autocomplete={props.autocomplete}
        disabled={props.locked}
      />
    </div>
  )
}

function Hidden(props: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.token} />
}

/**
 * The whole page.
 *
 * @example
 * <AccountPage action={`${issuer}/account`} csrfToken={t} username="ada" … />
 */
export function AccountPage(props: AccountPageProps) {
  const locked = props.lockProfile
  return (
    <>
      <p class="lead">
        Signed in as <strong>{props.username}</strong>.
      </p>
      {props.notice && (
        <p
          class={props.notice.error ? 'error' : 'notice'}
          role={props.notice.error ? 'alert' : 'status'}
        >
          {props.notice.text}
        </p>
      )}
      <section>
        <h2>Profile</h2>
        {locked && <p class="hint">Your administrator manages your name and email address.</p>}
        <form method="post" action={`${props.action}/profile`}>
          <Hidden token={props.csrfToken} />
          <Field
            id="givenName"
            label="First name"
            value={props.givenName}
            max={255}
            locked={locked}
            autocomplete="given-name"
          />
          <Field
            id="surname"
            label="Last name"
            value={props.surname}
            max={255}
            locked={locked}
            autocomplete="family-name"
          />
          <Field
            id="email"
            label="Email"
            type="email"
            value={props.email}
            max={254}
            locked={locked}
            autocomplete="email"
          />
          {!locked && <button type="submit">Save profile</button>}
        </form>
      </section>
      <section>
        <h2>Password</h2>
        <form method="post" action={`${props.action}/password`}>
          <Hidden token={props.csrfToken} />
          <div class="field">
            <label for="currentPassword">Current password</label>
            <input
              type="password"
              id="currentPassword"
              name="currentPassword"
              autocomplete="current-password"
              maxlength={1024}
              required
            />
          </div>
          <div class="field">
            <label for="newPassword">New password</label>
            <input
              type="password"
              id="newPassword"
              name="newPassword"
              autocomplete="new-password"
              maxlength={1024}
              required
            />
          </div>
          <button type="submit">Change password</button>
        </form>
      </section>
      <section>
        <h2>Two-factor authentication</h2>
        {props.hasTotp ? (
          <>
            <p>
              An authenticator app protects your account. You have {props.recoveryCodesLeft} unused
              recovery {props.recoveryCodesLeft === 1 ? 'code' : 'codes'}.
            </p>
            <form method="post" action={`${props.action}/mfa/recovery-codes`}>
              <Hidden token={props.csrfToken} />
              <div class="field">
                <label for="codesPassword">Current password</label>
                <input
                  type="password"
                  id="codesPassword"
                  name="currentPassword"
                  autocomplete="current-password"
                  maxlength={1024}
                  required
                />
              </div>
              <button type="submit" class="secondary">
                New recovery codes
              </button>
              {!props.mandatoryMfa && (
                <button type="submit" class="secondary" formaction={`${props.action}/mfa/remove`}>
                  Turn off two-factor authentication
                </button>
              )}
            </form>
          </>
        ) : (
          <form method="post" action={`${props.action}/mfa/setup`}>
            <Hidden token={props.csrfToken} />
            <p>Protect your account with a code from an authenticator app at every sign-in.</p>
            <button type="submit">Set up an authenticator app</button>
          </form>
        )}
      </section>
      <section>
        <h2>Passkeys</h2>
        <p>Sign in with your fingerprint, face or device PIN instead of a password and code.</p>
        {props.passkeys.length > 0 && (
          <ul class="passkeys">
            {props.passkeys.map((passkey) => (
              <li>
                <strong>{passkey.name}</strong> — added {day(passkey.createdAt)}
                {passkey.lastUsedAt ? `, last used ${day(passkey.lastUsedAt)}` : ', never used'}
                <form method="post" action={`${props.action}/passkeys/${passkey.id}/delete`}>
                  <Hidden token={props.csrfToken} />
                  <button type="submit" class="secondary">
                    Remove {passkey.name}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
        <div class="field">
          <label for="passkeyName">Name of the new passkey</label>
          <input
            type="text"
            id="passkeyName"
            name="passkeyName"
            maxlength={100}
            placeholder="Laptop"
          />
        </div>
        <PasskeyButton
          mode="create"
          label="Add a passkey"
          nameField="passkeyName"
          endpoints={{
            options: `${props.action}/passkeys/options`,
            submit: `${props.action}/passkeys`,
            csrf: props.csrfToken,
          }}
        />
      </section>
      <section>
        <h2>Sessions</h2>
        <p>
          <a href={`${props.action}/sessions`}>See where you are signed in</a>
        </p>
      </section>
    </>
  )
}

/** A day, UTC: the page has no script to localise dates. */
function day(date: Date): string {
  return date.toISOString().slice(0, 10)
}
