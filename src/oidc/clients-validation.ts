/**
 * The rules a client's settings must satisfy. `resolveClientSettings` merges an administrator's
 * input into the current settings and refuses anything unsafe with an {@link EdgepassError}
 * naming the field, before anything is written. Every value is checked at run time, whatever
 * its static type: the input comes from JSON.
 */
import { EdgepassError, type ErrorCode } from '../errors'
import {
  AUTH_METHODS,
  GRANT_TYPES,
  ID_TOKEN_CLAIM_MODES,
  invalidSetting as invalid,
  MAX_CUSTOM_CLAIMS,
  MAX_URI_LENGTH,
  MAX_URIS,
  SIGNING_ALGS,
  SUBJECT_TYPES,
  TTL_BOUNDS,
  type GrantType,
  type OidcClientInput,
  type OidcClientSettings,
} from './clients-settings'
import { checkOrigin, checkRedirectUri } from './clients-uris'

/**
 * Claims Edgepass sets itself (JWT, OIDC Core §2 and §5.1, RFC 9068): a custom claim of the
 * same name would let customData, which users may be able to edit, overwrite `sub` or `email`.
 */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  // JWT and ID token
  ...['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr'],
  ...['azp', 'sid', 'at_hash', 'c_hash', 's_hash', 'cnf', 'scope', 'client_id', 'typ'],
  // OIDC Core §5.1 standard claims, and `groups` (reference §6.4)
  ...['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username'],
  ...['profile', 'picture', 'website', 'email', 'email_verified', 'gender', 'birthdate'],
  ...['zoneinfo', 'locale', 'phone_number', 'phone_number_verified', 'address', 'updated_at'],
  'groups',
  // Not a claim anyone needs, and a trap for code that builds objects by assignment.
  '__proto__',
])
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/
/** The custom data key rules (Stormpath 3000–3002), so a mapping can name any stored key. */
const CUSTOM_DATA_KEY = /^[0-9A-Za-z_][0-9A-Za-z_-]{0,254}$/

/**
 * Merges `input` into `current` and validates the result as a whole (some rules span fields:
 * `client_credentials` needs a secret, `authorization_code` needs a redirect URI).
 *
 * @example
 * resolveClientSettings(DEFAULT_CLIENT_SETTINGS, { redirectUris: ['https://app.example.com/cb'] })
 */
export function resolveClientSettings(
  current: OidcClientSettings,
  input: OidcClientInput,
): OidcClientSettings {
  const next: OidcClientSettings = {
    tokenEndpointAuthMethod: oneOf(input, current, 'tokenEndpointAuthMethod', AUTH_METHODS),
    redirectUris: uriList(input, current, 'redirectUris', checkRedirectUri),
    postLogoutRedirectUris: uriList(input, current, 'postLogoutRedirectUris', checkRedirectUri),
    grantTypes: grantTypes(input, current),
    corsOrigins: uriList(input, current, 'corsOrigins', checkOrigin),
    idTokenSignedResponseAlg: oneOf(input, current, 'idTokenSignedResponseAlg', SIGNING_ALGS),
    idTokenClaims: oneOf(input, current, 'idTokenClaims', ID_TOKEN_CLAIM_MODES),
    subjectType: oneOf(input, current, 'subjectType', SUBJECT_TYPES),
    trusted: flag(input, current, 'trusted'),
    alwaysIssueRefreshToken: flag(input, current, 'alwaysIssueRefreshToken'),
    customClaims: customClaims(input, current),
    accessTokenTtl: ttl(input, current, 'accessTokenTtl'),
    idTokenTtl: ttl(input, current, 'idTokenTtl'),
    refreshTokenTtl: ttl(input, current, 'refreshTokenTtl'),
  }
  if (next.tokenEndpointAuthMethod === 'none' && next.grantTypes.includes('client_credentials')) {
    // RFC 6749 §4.4: the client credentials grant is for confidential clients only.
    throw invalid(
      'grantTypes',
      'grantTypes may include client_credentials only for confidential clients.',
    )
  }
  if (next.grantTypes.includes('authorization_code') && next.redirectUris.length === 0) {
    throw new EdgepassError('required', 'redirectUris needs at least one URI.', {
      field: 'redirectUris',
      developerMessage: 'The authorization_code grant redirects to a registered URI.',
    })
  }
  return next
}

type ListField = 'redirectUris' | 'postLogoutRedirectUris' | 'corsOrigins'

function uriList(
  input: OidcClientInput,
  current: OidcClientSettings,
  field: ListField,
  check: (value: string, field: string) => void,
): string[] {
  const value: unknown = input[field]
  if (value === undefined) return current[field]
  if (!Array.isArray(value)) throw wrongType(field, 'an array of strings')
  if (value.length > MAX_URIS) {
    throw new EdgepassError('too_long', `${field} is too long: at most ${MAX_URIS} entries.`, {
      field,
    })
  }
  for (const item of value) {
    if (typeof item !== 'string') throw wrongType(field, 'an array of strings')
    // Before parsing: a 10 KiB URI is refused without being looked at.
    if (item.length > MAX_URI_LENGTH) {
      throw new EdgepassError(
        'too_long',
        `${field} entries are too long: at most ${MAX_URI_LENGTH} characters.`,
        { field },
      )
    }
    check(item, field)
  }
  return [...new Set(value as string[])]
}

function grantTypes(input: OidcClientInput, current: OidcClientSettings): GrantType[] {
  const value: unknown = input.grantTypes
  if (value === undefined) return current.grantTypes
  if (!Array.isArray(value)) throw wrongType('grantTypes', 'an array of strings')
  if (value.length === 0)
    throw new EdgepassError('required', 'grantTypes must not be empty.', {
      field: 'grantTypes',
    })
  if (value.length > GRANT_TYPES.length * 2) {
    throw new EdgepassError('too_long', 'grantTypes has too many entries.', { field: 'grantTypes' })
  }
  for (const item of value) {
    if (!(GRANT_TYPES as readonly unknown[]).includes(item)) {
      throw invalid('grantTypes', `grantTypes may contain only ${GRANT_TYPES.join(', ')}.`, item)
    }
  }
  return [...new Set(value as GrantType[])]
}

function oneOf<K extends keyof OidcClientSettings, const T extends readonly string[]>(
  input: OidcClientInput,
  current: OidcClientSettings,
  field: K,
  options: T,
): T[number] {
  const value: unknown = input[field]
  if (value === undefined) return current[field] as T[number]
  if (typeof value !== 'string' || !options.includes(value)) {
    throw invalid(field, `${field} must be one of ${options.join(', ')}.`, value)
  }
  return value
}

function flag(
  input: OidcClientInput,
  current: OidcClientSettings,
  field: 'trusted' | 'alwaysIssueRefreshToken',
): boolean {
  const value: unknown = input[field]
  if (value === undefined) return current[field]
  if (typeof value !== 'boolean') throw wrongType(field, 'true or false')
  return value
}

function ttl(
  input: OidcClientInput,
  current: OidcClientSettings,
  field: keyof typeof TTL_BOUNDS,
): number {
  const value: unknown = input[field]
  if (value === undefined) return current[field]
  if (typeof value !== 'number') throw wrongType(field, 'a number of seconds')
  if (!Number.isInteger(value)) throw invalid(field, `${field} must be whole seconds.`, value)
  const { min, max } = TTL_BOUNDS[field]
  if (value < min) return bound('below_minimum', field, `${field} must be at least ${min} seconds.`)
  if (value > max) return bound('above_maximum', field, `${field} must be at most ${max} seconds.`)
  return value
}

function customClaims(input: OidcClientInput, current: OidcClientSettings): Record<string, string> {
  const value: unknown = input.customClaims
  if (value === undefined) return current.customClaims
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw wrongType('customClaims', 'an object of claim name → custom data key')
  }
  const entries = Object.entries(value)
  if (entries.length > MAX_CUSTOM_CLAIMS) {
    throw new EdgepassError(
      'too_long',
      `customClaims is too long: at most ${MAX_CUSTOM_CLAIMS} claims.`,
      { field: 'customClaims' },
    )
  }
  const claims: Record<string, string> = {}
  for (const [claim, key] of entries) {
    if (REGISTERED_CLAIMS.has(claim)) {
      throw invalid(
        'customClaims',
        `customClaims cannot map ${claim.slice(0, 40)}: it is a registered claim Edgepass sets itself.`,
        claim,
      )
    }
    if (!CLAIM_NAME.test(claim)) {
      throw invalid(
        'customClaims',
        'customClaims names must be 1–100 characters [A-Za-z0-9_.:-].',
        claim,
      )
    }
    if (typeof key !== 'string' || !CUSTOM_DATA_KEY.test(key)) {
      throw invalid(
        'customClaims',
        `customClaims.${claim} must name a custom data key (letters, digits, _ and -).`,
        key,
      )
    }
    claims[claim] = key
  }
  return claims
}

function wrongType(field: string, expected: string): EdgepassError {
  return new EdgepassError('wrong_type', `${field} has the wrong type: expected ${expected}.`, {
    field,
  })
}

function bound(code: ErrorCode, field: string, message: string): never {
  throw new EdgepassError(code, message, { field })
}
