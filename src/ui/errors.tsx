/** @jsxImportSource hono/jsx */
/**
 * The hosted pages' face of errors (DESIGN.md principle 4): every error thrown under `/ui`
 * becomes a page a person can act on, never Stormpath JSON, and never a stack or an unknown
 * error's message.
 */
import type { ErrorHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { EdgepassError, type ErrorCode } from '../errors'
import { describeError, type Logger } from '../log'
import type { UiContext, UiEnv } from './env'
import { renderPage } from './layout'

interface ErrorPage {
  status: ContentfulStatusCode
  title: string
  text: string
}

/** The codes a hosted page can meet, as pages. Others answer {@link OTHER_ERROR}. */
const ERROR_PAGES: Partial<Record<ErrorCode, ErrorPage>> = {
  not_found: {
    status: 404,
    title: 'This link is invalid or has expired',
    text: 'Links in our emails work once, for a limited time. Ask for a new link where you asked for this one.',
  },
  forbidden: {
    status: 403,
    title: 'This form has expired',
    text: 'For your safety, the form works only on the page it came with. Open the link from your email again.',
  },
  payload_too_large: {
    status: 413,
    title: 'This form is too large',
    text: 'The form sent more than it should. Open the link from your email again.',
  },
  unsupported_media_type: {
    status: 415,
    title: 'This form could not be read',
    text: 'Please send the form from its page. Open the link from your email again.',
  },
  method_not_allowed: {
    status: 405,
    title: 'This page cannot do that',
    text: 'Open the link from your email again.',
  },
  rate_limited: {
    status: 429,
    title: 'Too many attempts',
    text: 'Please wait a few minutes, then open the link from your email again.',
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
  text: 'Open the link from your email again.',
}

const UNEXPECTED_ERROR: ErrorPage = {
  status: 500,
  title: 'Something went wrong',
  text: 'Please try again later.',
}

/**
 * Builds the `/ui` error handler: known errors become their page; anything else is logged with
 * its stack and answered with a generic 500 page.
 */
export function uiErrorHandler(log: Logger): ErrorHandler<UiEnv> {
  return (error, c) => {
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
}

/** The page for an address under `/ui` with nothing behind it. */
export const pageNotFound = (c: UiContext) =>
  errorPage(c, {
    status: 404,
    title: 'Page not found',
    text: 'There is no page at this address. Check the link in your email.',
  })

function errorPage(c: UiContext, page: ErrorPage) {
  return renderPage(c, { title: page.title, status: page.status }, <p class="lead">{page.text}</p>)
}
