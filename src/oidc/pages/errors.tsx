/** @jsxImportSource hono/jsx */
/**
 * The OIDC pages' face of errors: the authorization endpoint's error page (B22: when the
 * redirect URI cannot be trusted, the error is shown, never redirected) and the pages that
 * answer a failed interaction step. Never a stack, never an unknown error's message.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { EdgepassError, type ErrorCode } from '../../errors'
import { describeError, type Logger } from '../../log'
import type { OidcEnv } from '../context'
import { OAuthError } from '../errors'
import { renderOidcPage } from './render'

type Ctx = Context<OidcEnv>

interface ErrorPage {
  status: ContentfulStatusCode
  title: string
  text: string
  /** Whether the way on (by default, signing in again) follows the text. */
  retry?: boolean
}

const START_AGAIN = 'Go back to the application and sign in again.'

/** The codes an interaction step can meet, as pages. Others answer {@link OTHER_ERROR}. */
const ERROR_PAGES: Partial<Record<ErrorCode, ErrorPage>> = {
  not_found: {
    status: 404,
    title: 'This sign-in request has expired',
    text: 'A sign-in request works for an hour, in the browser that started it.',
    retry: true,
  },
  forbidden: {
    status: 403,
    title: 'This form has expired',
    text: 'For your safety, the form works only on the page it came with.',
    retry: true,
  },
  payload_too_large: {
    status: 413,
    title: 'This form is too large',
    text: 'The form sent more than it should.',
    retry: true,
  },
  unsupported_media_type: {
    status: 415,
    title: 'This form could not be read',
    text: 'Please send the form from its page.',
    retry: true,
  },
  rate_limited: {
    status: 429,
    title: 'Too many attempts',
    text: 'Please wait a few minutes, then try again.',
  },
  unavailable: {
    status: 503,
    title: 'The service is unavailable',
    text: 'Please try again in a few minutes.',
  },
}

const OTHER_ERROR: ErrorPage = {
  status: 400,
  title: 'This request could not be completed',
  text: '',
  retry: true,
}

const UNEXPECTED_ERROR: ErrorPage = {
  status: 500,
  title: 'Something went wrong',
  text: 'Please try again later.',
}

/**
 * The page for an error thrown while showing or posting an interaction page: known errors
 * become their page (an OAuth error shows its description, written by us); anything else is
 * logged and answered with a generic 500 page.
 *
 * @example
 * try { return await showPage(c) } catch (error) { return interactionErrorPage(c, error, deps.log) }
 */
export function interactionErrorPage(c: Ctx, error: unknown, log: Logger): Promise<Response> {
  if (error instanceof OAuthError) {
    return errorPage(c, { ...OTHER_ERROR, text: error.description })
  }
  if (!(error instanceof EdgepassError)) {
    log.error('unexpected error', { requestId: c.get('requestId'), ...describeError(error) })
    return errorPage(c, UNEXPECTED_ERROR)
  }
  if (error.allow) c.header('Allow', error.allow.join(', '))
  if (error.retryAfterSeconds !== undefined) {
    c.header('Retry-After', String(error.retryAfterSeconds))
  }
  return errorPage(c, ERROR_PAGES[error.code] ?? OTHER_ERROR)
}

/**
 * A sign-in through an upstream provider that cannot go on (a refused account, a failed
 * exchange): what happened, in words, and the way back to the application.
 *
 * @example
 * return signInRefusedPage(c, 'Your account is not in a group allowed to sign in here.')
 */
export function signInRefusedPage(
  c: Ctx,
  text: string,
  status: ContentfulStatusCode = 403,
): Promise<Response> {
  return errorPage(c, { status, title: 'This sign-in cannot continue', text, retry: true })
}

/**
 * The authorization endpoint's error page (400): the request cannot continue and there is no
 * redirect URI to tell the client through.
 *
 * @example
 * return authorizationErrorPage(c, 'Unknown client_id.')
 */
export function authorizationErrorPage(c: Ctx, message: string): Promise<Response> {
  return renderOidcPage(
    c,
    { title: 'This sign-in request cannot continue', hasError: true, status: 400 },
    <>
      <p class="lead" role="alert">
        {message}
      </p>
      <p>Go back to the application and try again.</p>
    </>,
  )
}

/**
 * The page for a posted form that `readPostedForm` refused (CSRF, size, type) on a page other
 * than a sign-in step; `again` says where to go on from.
 *
 * @example
 * return refusedFormPage(c, error, 'Open your account page again.')
 */
export function refusedFormPage(c: Ctx, error: EdgepassError, again: string): Promise<Response> {
  return errorPage(c, ERROR_PAGES[error.code] ?? OTHER_ERROR, again)
}

function errorPage(c: Ctx, page: ErrorPage, again = START_AGAIN): Promise<Response> {
  const text = page.retry ? `${page.text} ${again}`.trim() : page.text
  return renderOidcPage(c, { title: page.title, status: page.status }, <p class="lead">{text}</p>)
}
