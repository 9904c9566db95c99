/**
 * Validation of an authorization request (OIDC Core §3.1.2.1, RFC 6749 §4.1.1, RFC 7636),
 * in the order that decides where an error may go: before the client and its redirect URI are
 * known, only an error page is safe (an open redirect otherwise, reference B22/N1/N2); after,
 * errors are redirected to that verified URI.
 */
import type { OidcClientRow } from '../store/rows'
import { OAuthError, type OAuthErrorCode } from './errors'

export interface AuthorizationParams {
  clientId: string
  redirectUri: string
  scope: string[]
  state?: string
  nonce?: string
  codeChallenge?: string
  prompt: Set<'none' | 'login' | 'consent'>
  maxAge?: number
  idTokenHint?: string
  loginHint?: string
}

/** An error to render as a page: the redirect URI could not be trusted. */
export class AuthorizationPageError extends Error {
  override readonly name = 'AuthorizationPageError'
}

/** An error to send back to the client's verified redirect URI. */
export class AuthorizationRedirectError extends OAuthError {
  constructor(
    error: OAuthErrorCode,
    description: string,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(error, description)
  }
}

const MAX_PARAM_LENGTH = 2048

/**
 * Reads and checks the request's parameters against `client`. Unknown parameters are ignored
 * (B17); `request` and `request_uri` are refused as unsupported (B25, B26).
 */
export function validateAuthorizationRequest(
  query: Record<string, string>,
  client: OidcClientRow | undefined,
  isRegistered: (client: OidcClientRow, uri: string) => boolean,
): AuthorizationParams {
  for (const [name, value] of Object.entries(query)) {
    if (value.length > MAX_PARAM_LENGTH) {
      throw new AuthorizationPageError(`The ${name.slice(0, 40)} parameter is too long.`)
    }
  }
  if (!client) throw new AuthorizationPageError('Unknown client_id.')
  const redirectUri = query.redirect_uri
  if (!redirectUri || !isRegistered(client, redirectUri)) {
    throw new AuthorizationPageError('The redirect_uri is not registered for this client.')
  }
  const state = query.state
  const fail = (error: OAuthErrorCode, description: string): never => {
    throw new AuthorizationRedirectError(error, description, redirectUri, state)
  }
  if (query.request !== undefined)
    fail('request_not_supported', 'Request objects are not supported.')
  if (query.request_uri !== undefined) {
    fail('request_uri_not_supported', 'request_uri is not supported.')
  }
  if (!query.response_type) fail('invalid_request', 'response_type is required.')
  if (query.response_type !== 'code') {
    fail('unsupported_response_type', 'Only response_type=code is supported.')
  }
  const grantTypes: string[] = JSON.parse(client.grantTypes)
  if (!grantTypes.includes('authorization_code')) {
    fail('unauthorized_client', 'The client may not use the authorization code flow.')
  }
  const scope = [...new Set((query.scope ?? '').split(' ').filter(Boolean))]
  if (!scope.includes('openid')) fail('invalid_request', 'scope must contain openid.')
  const prompt = new Set((query.prompt ?? '').split(' ').filter(Boolean))
  for (const value of prompt) {
    if (!['none', 'login', 'consent', 'select_account'].includes(value)) {
      fail('invalid_request', `Unsupported prompt value.`)
    }
  }
  if (prompt.has('none') && prompt.size > 1) {
    fail('invalid_request', 'prompt=none cannot be combined with other values.')
  }
  prompt.delete('select_account')
  const method = query.code_challenge_method
  const challenge = query.code_challenge
  if (challenge !== undefined || method !== undefined) {
    // RFC 7636 §4.2: 43–128 unreserved characters; `plain` would expose the verifier.
    if (method !== 'S256') fail('invalid_request', 'code_challenge_method must be S256.')
    if (!challenge || !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
      fail('invalid_request', 'code_challenge is malformed.')
    }
  } else if (client.tokenEndpointAuthMethod === 'none') {
    fail('invalid_request', 'Public clients must use PKCE (code_challenge with S256).')
  }
  let maxAge: number | undefined
  if (query.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(query.max_age)) fail('invalid_request', 'max_age must be a number.')
    maxAge = Number(query.max_age)
  }
  return {
    clientId: client.id,
    redirectUri,
    scope,
    state,
    nonce: query.nonce,
    codeChallenge: challenge,
    prompt: prompt as AuthorizationParams['prompt'],
    maxAge,
    idTokenHint: query.id_token_hint,
    loginHint: query.login_hint,
  }
}

/** Parameters as stored with an interaction (JSON). */
export function serialiseParams(params: AuthorizationParams): string {
  return JSON.stringify({ ...params, prompt: [...params.prompt] })
}

export function deserialiseParams(json: string): AuthorizationParams {
  const raw = JSON.parse(json) as Omit<AuthorizationParams, 'prompt'> & { prompt: string[] }
  return { ...raw, prompt: new Set(raw.prompt) as AuthorizationParams['prompt'] }
}

/** `redirectUri` with the response parameters added to its query (RFC 6749 §4.1.2, RFC 9207). */
export function redirectWith(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value)
  }
  return url.toString()
}
