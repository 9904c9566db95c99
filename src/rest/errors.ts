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
  unauthenticated: { status: 401, code: 401 },
  forbidden: { status: 403, code: 403 },
  rate_limited: { status: 429, code: 429 },
  unavailable: { status: 503, code: 503 },
  misconfigured: { status: 503, code: 503 },
  required: { status: 400, code: 2000 },
  duplicate: { status: 409, code: 2001 },
  invalid_value: { status: 400, code: 2002 },
  unsupported_value: { status: 400, code: 2003 },
  wrong_type: { status: 400, code: 2004 },
  too_short: { status: 400, code: 2007 },
  too_long: { status: 400, code: 2008 },
  below_minimum: { status: 400, code: 2009 },
  above_maximum: { status: 400, code: 2010 },
  invalid_href: { status: 400, code: 2016 },
  reference_not_found: { status: 400, code: 2020 },
  reference_unusable: { status: 400, code: 2021 },
  query_malformed: { status: 400, code: 2100 },
  query_invalid_value: { status: 400, code: 2103 },
  query_bad_order_by: { status: 400, code: 2104 },
  query_unsupported: { status: 400, code: 2105 },
  query_order_by_attribute: { status: 400, code: 2106 },
  query_not_expandable: { status: 400, code: 2107 },
  query_range: { status: 400, code: 2108 },
  custom_data_empty_name: { status: 400, code: 3000 },
  custom_data_name_too_long: { status: 400, code: 3001 },
  custom_data_bad_name: { status: 400, code: 3002 },
  custom_data_reserved_name: { status: 400, code: 3003 },
  custom_data_too_large: { status: 400, code: 3004 },
  owner_undeletable: { status: 400, code: 4001 },
  owner_status_fixed: { status: 400, code: 4002 },
  no_default_account_store: { status: 400, code: 5100 },
  default_account_store_disabled: { status: 400, code: 5101 },
  no_default_group_store: { status: 400, code: 5102 },
  default_group_store_disabled: { status: 400, code: 5103 },
  store_already_mapped: { status: 409, code: 5104 },
  no_account_stores: { status: 400, code: 5105 },
  organization_no_account_stores: { status: 400, code: 4605 },
  group_not_group_store: { status: 400, code: 5112 },
  store_not_mapped: { status: 400, code: 5114 },
  organization_maps_organization: { status: 400, code: 4614 },
  org_no_default_account_store: { status: 400, code: 4600 },
  org_default_account_store_disabled: { status: 400, code: 4601 },
  org_no_default_group_store: { status: 400, code: 4602 },
  org_default_group_store_disabled: { status: 400, code: 4603 },
  org_store_already_mapped: { status: 409, code: 4604 },
  org_group_not_group_store: { status: 400, code: 4612 },
  password_too_weak: { status: 400, code: 400 },
  login_wrong_password: { status: 400, code: 7100 },
  login_account_disabled: { status: 400, code: 7101 },
  login_account_unverified: { status: 400, code: 7102 },
  login_account_locked: { status: 400, code: 7103 },
  login_no_account: { status: 400, code: 7104 },
  login_group_disabled: { status: 400, code: 7105 },
  login_directory_disabled: { status: 400, code: 7106 },
  login_organization_disabled: { status: 400, code: 7107 },
  spam_detected: { status: 400, code: 400 },
  no_verification_workflow: { status: 400, code: 6101 },
  email_domain_blacklisted: { status: 400, code: 7205 },
  email_domain_not_whitelisted: { status: 400, code: 7206 },
  template_missing_token: { status: 400, code: 7301 },
  external_read_only: { status: 409, code: 7400 },
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
export function stormpathErrorHandler<E extends { Variables: RequestIdVariables }>(
  log: Logger,
  baseUrl: string,
): ErrorHandler<E> {
  return (error, c) => {
    if (error instanceof EdgepassError) return respondWithError(c, error, baseUrl)
    log.error('unexpected error', {
      requestId: c.get('requestId') as string,
      ...describeError(error),
    })
    return c.json(body(c, 500, 500, UNEXPECTED_MESSAGE, UNEXPECTED_MESSAGE, baseUrl), 500)
  }
}

function respondWithError(c: Context<any>, error: EdgepassError, baseUrl: string): Response {
  const { status, code } = STORMPATH_ERRORS[error.code]
  if (error.allow) c.header('Allow', error.allow.join(', '))
  if (error.retryAfterSeconds !== undefined)
    c.header('Retry-After', String(error.retryAfterSeconds))
  const developerMessage = error.developerMessage ?? error.message
  return c.json(body(c, status, code, error.message, developerMessage, baseUrl), status)
}

function body(
  c: Context<any>,
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
