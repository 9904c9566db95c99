/**
 * Reading a request to the Stormpath token endpoint (stormpath-api reference §14): the form of
 * RFC 6749 §4.3.2 (`password`), §6 (`refresh_token`) and §4.4.2 (`client_credentials`, with the
 * client's credentials in the form as Stormpath took them).
 */
import type { StoreSelector } from '../directory/login'
import { formRefusalText, readUrlEncodedForm } from '../http/url-encoded-form'
import type { TokenRequest } from './grants'
import { MAX_JWT_LENGTH } from './jwts'

/** RFC 6749 §5.2 error codes, plus `slow_down` for throttling as the OIDC face answers it. */
export type OAuthErrorCode =
  'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'slow_down'

/** A request refused before any grant runs: the face answers `{error, error_description}`. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError'
  constructor(
    readonly error: OAuthErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Ceilings on each parameter: far above any real value, far below the body limit. */
const MAX_FORM_LENGTH = 16_384
const MAX_LENGTHS: Record<string, number> = {
  grant_type: 64,
  username: 1024,
  password: 4096,
  refresh_token: MAX_JWT_LENGTH,
  client_id: 64,
  client_secret: 256,
  accountStore: 2048,
  organizationNameKey: 255,
  nameKey: 255,
  scope: 1024,
}

/**
 * Parses a token request: URL-encoded only, each parameter at most once (RFC 6749 §3.2),
 * bounded lengths; unknown parameters (and `scope`, which Stormpath ignored) are ignored.
 * `storeOf` resolves an `accountStore` href, throwing the face's error for a bad one.
 *
 * @throws TokenRequestError `invalid_request` or `unsupported_grant_type`.
 * @example
 * parseTokenRequest('application/x-www-form-urlencoded', 'grant_type=refresh_token&refresh_token=…', storeOf)
 * // { grantType: 'refresh_token', refreshToken: '…' }
 */
export function parseTokenRequest(
  contentType: string,
  body: string,
  storeOf: (href: string) => StoreSelector,
): TokenRequest {
  const reading = readUrlEncodedForm(contentType, body, MAX_FORM_LENGTH)
  if (reading.kind === 'refused')
    throw new TokenRequestError('invalid_request', formRefusalText(reading))
  const form = reading.params
  for (const [name, value] of form) {
    if (value.length > (MAX_LENGTHS[name] ?? MAX_FORM_LENGTH))
      throw new TokenRequestError('invalid_request', `The ${name} parameter is too long.`)
  }
  const required = (name: string) => {
    const value = form.get(name)
    if (!value) throw new TokenRequestError('invalid_request', `The ${name} parameter is missing.`)
    return value
  }
  const grantType = required('grant_type')
  switch (grantType) {
    case 'password':
      return {
        grantType,
        username: required('username'),
        password: required('password'),
        selector: storeSelectorOf(form, storeOf),
      }
    case 'refresh_token':
      return { grantType, refreshToken: required('refresh_token') }
    case 'client_credentials':
      return {
        grantType,
        clientId: required('client_id'),
        clientSecret: required('client_secret'),
      }
    default:
      // stormpath_token, stormpath_factor_challenge, stormpath_social, id_site_token and the
      // rest are not offered (§14).
      throw new TokenRequestError(
        'unsupported_grant_type',
        `The grant type ${JSON.stringify(grantType)} is not supported.`,
      )
  }
}

/** `accountStore=<href>`, or an organization by `organizationNameKey` / `nameKey`. */
function storeSelectorOf(
  form: URLSearchParams,
  storeOf: (href: string) => StoreSelector,
): StoreSelector {
  const href = form.get('accountStore')
  const nameKey = form.get('organizationNameKey') ?? form.get('nameKey')
  if (href) return storeOf(href)
  if (nameKey) return { kind: 'organization', nameKey }
  return { kind: 'all' }
}
