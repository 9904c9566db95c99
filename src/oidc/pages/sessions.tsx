/** @jsxImportSource hono/jsx */
/**
 * "Your sessions" (reference §1.6 item 2, Cloudron's "manage app sessions"): every browser the
 * account is signed in on, the applications used in each, and a way to sign any of them out.
 * Components only; `src/oidc/account-sessions.ts` renders them.
 */
import { CSRF_FIELD } from '../../ui/csrf'
import type { SessionSummary } from '../session-admin'

export const SESSIONS_TITLE = 'Your sessions'

export const SESSIONS_STYLES = `
.sessions { list-style: none; margin: 0 0 1.25rem; padding: 0; display: grid; gap: 1rem; }
.sessions li { border: 2px solid var(--border); border-radius: 0.5rem; padding: 0.75rem 1rem; }
.sessions .agent { font-weight: 600; overflow-wrap: anywhere; }
.sessions .current { color: var(--accent); font-weight: 600; }
.sessions p { margin: 0.25rem 0; }
`

export interface SessionsPageProps {
  accountName: string
  sessions: SessionSummary[]
  /** This browser's session, marked and listed first. */
  currentId: string
  /** `${issuer}/account/sessions`: each form posts to `…/{sid}/end` or `…/end-all`. */
  action: string
  csrfToken: string
}

/**
 * The account's live sessions, this browser's first, each with its applications and a "Sign
 * out" form; then "Sign out everywhere".
 *
 * @example
 * <SessionsPage accountName="grace" sessions={list} currentId={sid} action={a} csrfToken={t} />
 */
export function SessionsPage(props: SessionsPageProps) {
  const ordered = [
    ...props.sessions.filter((session) => session.id === props.currentId),
    ...props.sessions.filter((session) => session.id !== props.currentId),
  ]
  return (
    <>
      <p class="lead">
        You are signed in as <strong>{props.accountName}</strong> in {ordered.length}{' '}
        {ordered.length === 1 ? 'browser' : 'browsers'}. Signing a session out also signs it out of
        the applications used in it.
      </p>
      <ul class="sessions">
        {ordered.map((session) => (
          <li>
            <p class="agent">{session.userAgent || 'Unknown browser'}</p>
            {session.id === props.currentId && <p class="current">This browser</p>}
            <p>
              Signed in{' '}
              <time datetime={session.authTime.toISOString()}>{when(session.authTime)}</time>
            </p>
            <p>
              {session.clients.length === 0
                ? 'No applications yet.'
                : `Applications: ${session.clients.map((client) => client.applicationName).join(', ')}`}
            </p>
            <form method="post" action={`${props.action}/${encodeURIComponent(session.id)}/end`}>
              <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
              <button type="submit" class="secondary">
                Sign out
              </button>
            </form>
          </li>
        ))}
      </ul>
      {ordered.length > 1 && (
        <form method="post" action={`${props.action}/end-all`}>
          <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
          <button type="submit">Sign out everywhere</button>
        </form>
      )}
    </>
  )
}

/** Shown to a browser without a session: there is nothing of its own to list. */
export function NoSessionPage() {
  return (
    <p class="lead">
      This browser is not signed in. Sign in to an application with your account, then come back to
      see and end your sessions.
    </p>
  )
}

/** UTC, to the minute: the page has no script to localise it, and no locale to guess. */
function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
