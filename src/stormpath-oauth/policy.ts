/**
 * An application's OAuth policy (stormpath-api reference §14 rule 1): how long the tokens of
 * `POST /applications/{id}/oauth/token` live. Edgepass has no storage for per-application
 * policies yet, so every application has Stormpath's defaults.
 */
export interface OAuthPolicy {
  /** ISO-8601 duration, as `/oAuthPolicies/{applicationId}` shows it. */
  accessTokenTtl: string
  refreshTokenTtl: string
  accessTokenTtlSeconds: number
  /** 0 means "no refresh tokens" (Stormpath's `refreshTokenTtl: PT0M`). */
  refreshTokenTtlSeconds: number
}

/** Stormpath's defaults: access tokens for an hour, refresh tokens for 60 days. */
export const DEFAULT_OAUTH_POLICY: OAuthPolicy = {
  accessTokenTtl: 'PT1H',
  refreshTokenTtl: 'P60D',
  accessTokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 60 * 86_400,
}

/**
 * The policy of an application. A function rather than the constant so that a stored policy
 * can replace the defaults without touching the callers.
 *
 * @example
 * oauthPolicyOf(application.id).accessTokenTtlSeconds // 3600
 */
export function oauthPolicyOf(_applicationId: string): OAuthPolicy {
  return DEFAULT_OAUTH_POLICY
}
