/**
 * Typed errors with stable codes, shared by every face. A face maps each code to its own wire
 * form once (Stormpath JSON on `/v1`, OAuth errors on `/openid`, pages in `ui/`, LDAP result
 * codes); anything that is not an {@link EdgepassError} is unexpected and its message never
 * reaches a client.
 *
 * @example
 * throw new EdgepassError('not_found', 'The requested resource does not exist.')
 */
export type ErrorCode =
  // protocol
  /** No route or resource at this address (or one in another tenant). */
  | 'not_found'
  /** The route exists but not for this HTTP method. */
  | 'method_not_allowed'
  /** The request body's media type is not one the route accepts. */
  | 'unsupported_media_type'
  /** The request could not be read: bad JSON, bad encoding. */
  | 'malformed_request'
  /** The request body is larger than the route accepts. */
  | 'payload_too_large'
  /** Credentials missing or wrong. */
  | 'unauthenticated'
  /** Authenticated, but not allowed to do this. */
  | 'forbidden'
  /** Too many attempts; `retryAfterSeconds` says when to try again. */
  | 'rate_limited'
  /** A dependency (the database) does not answer. */
  | 'unavailable'
  /** The deployment is misconfigured (Workers read configuration per request). */
  | 'misconfigured'
  // property validation (Stormpath 2000–2021)
  | 'required'
  | 'duplicate'
  | 'invalid_value'
  | 'unsupported_value'
  | 'wrong_type'
  | 'too_short'
  | 'too_long'
  | 'below_minimum'
  | 'above_maximum'
  | 'invalid_href'
  | 'reference_not_found'
  | 'reference_unusable'
  // query (Stormpath 2100–2108)
  | 'query_malformed'
  | 'query_invalid_value'
  | 'query_bad_order_by'
  | 'query_unsupported'
  | 'query_order_by_attribute'
  | 'query_not_expandable'
  | 'query_range'
  // custom data (Stormpath 3000–3004)
  | 'custom_data_empty_name'
  | 'custom_data_name_too_long'
  | 'custom_data_bad_name'
  | 'custom_data_reserved_name'
  | 'custom_data_too_large'
  // tenant owner (4001–4002)
  | 'owner_undeletable'
  | 'owner_status_fixed'
  // account stores (4600–4614, 5100–5119)
  | 'no_default_account_store'
  | 'default_account_store_disabled'
  | 'no_default_group_store'
  | 'default_group_store_disabled'
  | 'store_already_mapped'
  | 'no_account_stores'
  | 'organization_no_account_stores'
  | 'group_not_group_store'
  | 'store_not_mapped'
  | 'organization_maps_organization'
  // the same, for organizations' own mappings (4600–4612)
  | 'org_no_default_account_store'
  | 'org_default_account_store_disabled'
  | 'org_no_default_group_store'
  | 'org_default_group_store_disabled'
  | 'org_store_already_mapped'
  | 'org_group_not_group_store'
  // passwords
  | 'password_too_weak'
  // login (7100–7107)
  | 'login_wrong_password'
  | 'login_account_disabled'
  | 'login_account_unverified'
  | 'login_account_locked'
  | 'login_no_account'
  | 'login_group_disabled'
  | 'login_directory_disabled'
  | 'login_organization_disabled'
  // registration honeypot
  | 'spam_detected'
  // account workflows (6101, 7205, 7206, 7301)
  /** The account's directory has no email verification workflow enabled. */
  | 'no_verification_workflow'
  | 'email_domain_blacklisted'
  | 'email_domain_not_whitelisted'
  /** A verification or reset template whose body lacks the link or token. */
  | 'template_missing_token'
  // external directories
  /** An account or group synced from an external directory: only local fields may change. */
  | 'external_read_only'

export interface ErrorDetails {
  /** Technical explanation for the developer calling the API. */
  developerMessage?: string
  /** For `method_not_allowed`: the methods the route accepts. */
  allow?: readonly string[]
  /** The input field the error is about, when there is one. */
  field?: string
  /** For `rate_limited`: seconds until a retry may succeed (`Retry-After`). */
  retryAfterSeconds?: number
  cause?: unknown
}

export class EdgepassError extends Error {
  override readonly name = 'EdgepassError'
  readonly developerMessage: string | undefined
  readonly allow: readonly string[] | undefined
  readonly field: string | undefined
  readonly retryAfterSeconds: number | undefined

  constructor(
    readonly code: ErrorCode,
    /** End-user-safe text. */
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.developerMessage = details.developerMessage
    this.allow = details.allow
    this.field = details.field
    this.retryAfterSeconds = details.retryAfterSeconds
  }
}

export function isEdgepassError(error: unknown): error is EdgepassError {
  return error instanceof EdgepassError
}

/** The error for an address with no route or resource behind it. */
export function notFound(path: string): EdgepassError {
  return new EdgepassError('not_found', 'The requested resource does not exist.', {
    developerMessage: `No resource at ${path}.`,
  })
}
