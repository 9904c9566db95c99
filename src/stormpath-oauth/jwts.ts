/**
 * The JWTs of the Stormpath OAuth endpoint (stormpath-api reference §14): HS256 under the
 * secret of the API key that asked for them, `kid` = that key's id, `stt` = the token type, and
 * Stormpath's claims in Stormpath's order. The Node SDK verifies them with its own key's secret
 * (`lib/jwt/jwt-authentication-result.js`, nJwt) and reads `sub` as the account href. jose does
 * the JOSE work; this module only builds and checks claims.
 */
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose'
import { utf8 } from '../security/encoding'
import type { TokenRejection } from './rejections'
import { parseTokenId, refreshIdOf, sealTokenId, type TokenId, type TokenKind } from './token-ids'

/** An API key able to sign: its id (the `kid`) and its opened secret. */
export interface SigningKey {
  id: string
  secret: string
}

/** The absolute hrefs the claims name (`iss`, `sub`): the REST face's, injected. */
export interface TokenHrefs {
  application(id: string): string
  account(id: string): string
}

/** Tokens longer than this are refused unread: ours are about 700 characters. */
export const MAX_JWT_LENGTH = 4096

/**
 * Signs the token an id describes. Signing is deterministic (HS256, fixed claim order), so the
 * same id always gives the same JWT: that is how `/accessTokens/{jti}` shows a token it never
 * stored.
 *
 * @example
 * const { jwt, jti } = await signToken(id, { id: apiKey.id, secret }, hrefs)
 */
export async function signToken(
  id: TokenId,
  key: SigningKey,
  hrefs: TokenHrefs,
): Promise<{ jwt: string; jti: string }> {
  const jti = await sealTokenId(id, key.secret)
  const refresh = refreshIdOf(id)
  const claims = {
    jti,
    iat: id.issuedAt,
    iss: hrefs.application(id.applicationId),
    sub: hrefs.account(id.accountId),
    exp: id.issuedAt + id.ttlSeconds,
    ...(refresh ? { rti: await sealTokenId(refresh, key.secret) } : {}),
  }
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ kid: key.id, stt: id.kind, alg: 'HS256' })
    .sign(utf8(key.secret))
  return { jwt, jti }
}

export type VerifiedToken =
  { kind: 'valid'; id: TokenId; jti: string } | { kind: 'invalid'; reason: TokenRejection }

/**
 * Checks a presented token: shape, type (`stt`, so an access token is no refresh token), the
 * HS256 signature under the key its `kid` names, expiry, and that its claims are the ones its
 * id describes. `keyOf` answers only the keys the caller may use (its tenant's administrators').
 */
export async function verifyToken(
  jwt: string,
  expected: TokenKind,
  keyOf: (kid: string) => Promise<SigningKey | undefined>,
  hrefs: TokenHrefs,
  now: Date,
): Promise<VerifiedToken> {
  if (jwt.length > MAX_JWT_LENGTH) return invalid('malformed')
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(jwt)
  } catch {
    return invalid('malformed')
  }
  if (header.stt !== expected) return invalid('wrong_type')
  if (typeof header.kid !== 'string' || header.kid.length > 64) return invalid('unknown_key')
  const key = await keyOf(header.kid)
  if (!key) return invalid('unknown_key')
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
  try {
    ;({ payload } = await jwtVerify(jwt, utf8(key.secret), {
      algorithms: ['HS256'],
      currentDate: now,
      requiredClaims: ['jti', 'iat', 'exp', 'iss', 'sub'],
    }))
  } catch (error) {
    // Whatever else jose refuses (JWE, bad JSON, wrong alg, `iat` in the future…) is hostile
    // input, never a server fault.
    return invalid(error instanceof errors.JWTExpired ? 'expired' : 'bad_signature')
  }
  const id = typeof payload.jti === 'string' ? parseTokenId(payload.jti) : undefined
  const consistent =
    id &&
    id.kind === expected &&
    id.apiKeyId === key.id &&
    payload.iss === hrefs.application(id.applicationId) &&
    payload.sub === hrefs.account(id.accountId)
  if (!consistent) return invalid('bad_signature')
  return { kind: 'valid', id, jti: payload.jti as string }
}

function invalid(reason: TokenRejection): VerifiedToken {
  return { kind: 'invalid', reason }
}
