/**
 * OpenID Provider metadata (OIDC Discovery 1.0 §3; reference §3). Every URL is built from the
 * configured BASE_URL, never from the request's Host.
 */
import type { Context, Hono } from 'hono'
import type { Deps } from '../deps'
import type { OidcEnv } from './context'

export const SCOPES_SUPPORTED = ['openid', 'profile', 'email', 'groups', 'offline_access']

export const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'locale',
  'email',
  'email_verified',
  'groups',
]

/**
 * Authentication context classes as levels of assurance (Keycloak's convention): `1` one
 * factor, `2` two (OIDC Core §2 leaves the values to the OP). Reported in `acr`, not yet
 * enforced from `acr_values`.
 */
export const ACR_VALUES = ['1', '2']

/**
 * The `acr` of a sign-in from its `amr` (RFC 8176): `2` when it involved a second factor.
 *
 * @example
 * acrOf(['pwd', 'otp', 'mfa']) // '2'
 */
export function acrOf(amr: readonly string[]): string {
  return amr.includes('mfa') ? '2' : '1'
}

/** The discovery document of `issuer`. */
export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    jwks_uri: `${issuer}/jwks`,
    end_session_endpoint: `${issuer}/session/end`,
    revocation_endpoint: `${issuer}/token/revocation`,
    introspection_endpoint: `${issuer}/token/introspection`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'EdDSA'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: [
      'client_secret_basic',
      'client_secret_post',
      'none',
    ],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: SCOPES_SUPPORTED,
    claims_supported: CLAIMS_SUPPORTED,
    code_challenge_methods_supported: ['S256'],
    request_parameter_supported: false,
    // OIDC Discovery defaults this to true when omitted: say false explicitly.
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    acr_values_supported: ACR_VALUES,
    authorization_response_iss_parameter_supported: true,
  }
}

/** The document as served: public, cacheable for five minutes, readable from any origin. */
export function discoveryResponse(c: Context, issuer: string): Response {
  c.header('Access-Control-Allow-Origin', '*')
  c.header('Cache-Control', 'public, max-age=300')
  return c.json(discoveryDocument(issuer))
}

export function discoveryRoutes(app: Hono<OidcEnv>, _deps: Deps): void {
  app.get('/.well-known/openid-configuration', (c) => discoveryResponse(c, c.get('issuer')))
}
