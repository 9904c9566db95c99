/** @jsxImportSource hono/jsx */
import { CSRF_FIELD } from '../../ui/csrf'
import { ScopeList } from './scope-list'

export interface ConsentPageProps {
  clientName: string
  /** Who is signed in: the account's username. */
  accountName: string
  /** The requested scopes in plain words (`describeScopes`). */
  scopes: string[]
  /** Where Allow posts (`…/interaction/<uid>/confirm`) and where Cancel posts (`…/abort`). */
  action: string
  cancelAction: string
  csrfToken: string
}

/**
 * "<App> wants to: …" with Allow and Cancel, one form with two buttons (Cancel posts elsewhere
 * through `formaction`), so both carry the CSRF field and no script is needed. Neither button
 * has the focus: Enter on a freshly loaded page must not grant anything.
 *
 * @example
 * <ConsentPage clientName="Gitea" accountName="grace" scopes={s} action={a} cancelAction={b} csrfToken={t} />
 */
export function ConsentPage(props: ConsentPageProps) {
  return (
    <>
      <p class="lead">
        You are signed in as <strong>{props.accountName}</strong>.
      </p>
      <ScopeList clientName={props.clientName} scopes={props.scopes} verb="wants to" />
      <form method="post" action={props.action}>
        <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
        <div class="actions">
          <button type="submit">Allow</button>
          <button type="submit" class="secondary" formaction={props.cancelAction}>
            Cancel
          </button>
        </div>
      </form>
    </>
  )
}

/** The consent page's title (and `<h1>`). */
export const consentTitle = (clientName: string) => `Allow ${clientName} to use your account?`
