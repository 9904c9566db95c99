/**
 * OAuth 2.0 / OIDC errors (RFC 6749 §5.2, §4.1.2.1; RFC 6750 §3; OIDC Core §3.1.2.6). The
 * token, userinfo, introspection and revocation endpoints answer them as JSON; the
 * authorization endpoint redirects them to a verified redirect URI, or renders an error page.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'invalid_token'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'invalid_redirect_uri'

export class OAuthError extends Error {
  override readonly name = 'OAuthError'
  constructor(
    readonly error: OAuthErrorCode,
    /** Only RFC 6749 characters (%x20-21 / %x23-5B / %x5D-7E): no quotes, backslashes, newlines. */
    readonly description: string,
    readonly status: 400 | 401 | 403 | 404 | 500 = 400,
  ) {
    super(description)
  }
}

/** Keeps an `error_description` within RFC 6749's character set. */
export function safeDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ').slice(0, 300)
}
