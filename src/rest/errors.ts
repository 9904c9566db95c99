import type { Context, ErrorHandler } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { EdgepassError, type ErrorCode } from '../errors'
import type { RequestIdVariables } from '../http/request-id'
import { describeError, type Logger } from '../log'

/**
 * The Stormpath wire form of every error code (stormpath-api reference §4): HTTP status and
 * Stormpath's numeric code (the HTTP status where Stormpath defines none, as Cloudpass does).
 */
export const STORMPATH_ERRORS: Record<ErrorCode, { status: ContentfulStatusCode; code: number }> = {
  not_found: { status: 404, code: 404 },
  method_not_allowed: { status: 405, code: 1100 },
  unsupported_media_type: { status: 415, code: 1101 },
  malformed_request: { status: 400, code: 400 },
  payload_too_large: { status: 413, code: 413 },
  unavailable: { status: 503, code: 503 },
  misconfigured: { status: 503, code: 503 },
}

/** The six fields the SDKs read; Cloudpass omits `message` and `requestId`, we never do. */
export interface StormpathErrorBody {
  status: number
  code: number
  message: string
  developerMessage: string
  moreInfo: string
  requestId: string
}

const UNEXPECTED_MESSAGE = 'An unexpected error occurred. Please try again later.'

/**
 * Builds the `/v1` error handler: known errors become Stormpath JSON; anything else is logged
 * with its stack and answered with a generic 500 that leaks nothing.
 */
export function stormpathErrorHandler(
  log: Logger,
  baseUrl: string,
): ErrorHandler<{ Variables: RequestIdVariables }> {
  return (error, c) => {
    if (error instanceof EdgepassError) return respondWithError(c, error, baseUrl)
    log.error('unexpected error', { requestId: c.get('requestId'), ...describeError(error) })
    return c.json(body(c, 500, 500, UNEXPECTED_MESSAGE, UNEXPECTED_MESSAGE, baseUrl), 500)
  }
}

function respondWithError(
  c: Context<{ Variables: RequestIdVariables }>,
  error: EdgepassError,
  baseUrl: string,
): Response {
  const { status, code } = STORMPATH_ERRORS[error.code]
  if (error.allow) c.header('Allow', error.allow.join(', '))
  const developerMessage = error.developerMessage ?? error.message
  return c.json(body(c, status, code, error.message, developerMessage, baseUrl), status)
}

function body(
  c: Context<{ Variables: RequestIdVariables }>,
  status: number,
  code: number,
  message: string,
  developerMessage: string,
  baseUrl: string,
): StormpathErrorBody {
  return {
    status,
    code,
    message,
    developerMessage,
    moreInfo: `${baseUrl}/errors/${code}`,
    requestId: c.get('requestId'),
  }
}
