/**
 * The settings of an OpenID Connect client (reference §1.4) as the domain handles them: the
 * row's JSON columns parsed, under the REST field names, so that a validation error's `field`
 * is what the caller sent.
 */
import { EdgepassError } from '../errors'
import type { OidcClientRow } from '../store/rows'

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const
export type TokenEndpointAuthMethod = (typeof AUTH_METHODS)[number]
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const
export type GrantType = (typeof GRANT_TYPES)[number]
/** `none` is absent on purpose: an unsigned ID token is forgeable by anyone. */
export const SIGNING_ALGS = ['RS256', 'EdDSA'] as const
export const ID_TOKEN_CLAIM_MODES = ['scope', 'minimal'] as const
export const SUBJECT_TYPES = ['username', 'id'] as const

export const MAX_URIS = 50
export const MAX_URI_LENGTH = 2000
export const MAX_CUSTOM_CLAIMS = 50
const DAY = 24 * 3600
/** Seconds. A refresh TTL of 0 disables refresh tokens for the client. */
export const TTL_BOUNDS = {
  accessTokenTtl: { min: 60, max: DAY },
  idTokenTtl: { min: 60, max: DAY },
  refreshTokenTtl: { min: 0, max: 365 * DAY },
} as const

/** The complete settings of a client: its row's columns, parsed. */
export interface OidcClientSettings {
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  redirectUris: string[]
  postLogoutRedirectUris: string[]
  grantTypes: GrantType[]
  corsOrigins: string[]
  idTokenSignedResponseAlg: (typeof SIGNING_ALGS)[number]
  idTokenClaims: (typeof ID_TOKEN_CLAIM_MODES)[number]
  subjectType: (typeof SUBJECT_TYPES)[number]
  trusted: boolean
  alwaysIssueRefreshToken: boolean
  /** Claim name → account custom data key. */
  customClaims: Record<string, string>
  accessTokenTtl: number
  idTokenTtl: number
  refreshTokenTtl: number
}

/** What an administrator sends on create or update: any subset of the settings. */
export type OidcClientInput = Partial<OidcClientSettings>

/** The schema's defaults (db/schema.ts): confidential, code + refresh, RS256, 1 h tokens. */
export const DEFAULT_CLIENT_SETTINGS: OidcClientSettings = {
  tokenEndpointAuthMethod: 'client_secret_basic',
  redirectUris: [],
  postLogoutRedirectUris: [],
  grantTypes: ['authorization_code', 'refresh_token'],
  corsOrigins: [],
  idTokenSignedResponseAlg: 'RS256',
  idTokenClaims: 'scope',
  subjectType: 'username',
  trusted: false,
  alwaysIssueRefreshToken: false,
  customClaims: {},
  accessTokenTtl: 3600,
  idTokenTtl: 3600,
  refreshTokenTtl: 14 * DAY,
}

/** A row's settings, its JSON columns parsed. */
export function settingsOf(row: OidcClientRow): OidcClientSettings {
  return {
    tokenEndpointAuthMethod: row.tokenEndpointAuthMethod,
    redirectUris: JSON.parse(row.redirectUris),
    postLogoutRedirectUris: JSON.parse(row.postLogoutRedirectUris),
    grantTypes: JSON.parse(row.grantTypes),
    corsOrigins: JSON.parse(row.corsOrigins),
    idTokenSignedResponseAlg: row.idTokenSignedResponseAlg,
    idTokenClaims: row.idTokenClaims,
    subjectType: row.subjectType,
    trusted: row.trusted,
    alwaysIssueRefreshToken: row.alwaysIssueRefreshToken,
    customClaims: JSON.parse(row.customClaims),
    accessTokenTtl: row.accessTokenTtlSeconds,
    idTokenTtl: row.idTokenTtlSeconds,
    refreshTokenTtl: row.refreshTokenTtlSeconds,
  }
}

/** The columns that store `settings`. */
export function columnsOf(settings: OidcClientSettings) {
  return {
    tokenEndpointAuthMethod: settings.tokenEndpointAuthMethod,
    redirectUris: JSON.stringify(settings.redirectUris),
    postLogoutRedirectUris: JSON.stringify(settings.postLogoutRedirectUris),
    grantTypes: JSON.stringify(settings.grantTypes),
    corsOrigins: JSON.stringify(settings.corsOrigins),
    idTokenSignedResponseAlg: settings.idTokenSignedResponseAlg,
    idTokenClaims: settings.idTokenClaims,
    subjectType: settings.subjectType,
    trusted: settings.trusted,
    alwaysIssueRefreshToken: settings.alwaysIssueRefreshToken,
    customClaims: JSON.stringify(settings.customClaims),
    accessTokenTtlSeconds: settings.accessTokenTtl,
    idTokenTtlSeconds: settings.idTokenTtl,
    refreshTokenTtlSeconds: settings.refreshTokenTtl,
  } satisfies Partial<OidcClientRow>
}

/** A 400/2002 naming the field, quoting (a bounded preview of) the value for the developer. */
export function invalidSetting(field: string, message: string, value?: unknown): EdgepassError {
  const shown = JSON.stringify(value) ?? String(value)
  return new EdgepassError('invalid_value', message, {
    field,
    developerMessage:
      value === undefined
        ? message
        : `${message} Got ${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}.`,
  })
}
