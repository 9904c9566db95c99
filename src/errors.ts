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
  /** No route or resource at this address (or one in another tenant). */
  | 'not_found'
  /** The route exists but not for this HTTP method. */
  | 'method_not_allowed'
  /** The request body's media type is not one the route accepts. */
  | 'unsupported_media_type'
  /** The request could not be read: bad JSON, bad encoding, bad query syntax. */
  | 'malformed_request'
  /** The request body is larger than the route accepts. */
  | 'payload_too_large'
  /** A dependency (the database) does not answer. */
  | 'unavailable'
  /** The deployment is misconfigured (Workers read configuration per request). */
  | 'misconfigured'

export interface ErrorDetails {
  /** Technical explanation for the developer calling the API. */
  developerMessage?: string
  /** For `method_not_allowed`: the methods the route accepts. */
  allow?: readonly string[]
  /** The input field the error is about, when there is one. */
  field?: string
  cause?: unknown
}

export class EdgepassError extends Error {
  override readonly name = 'EdgepassError'
  readonly developerMessage: string | undefined
  readonly allow: readonly string[] | undefined
  readonly field: string | undefined

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
