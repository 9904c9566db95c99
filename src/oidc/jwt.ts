/**
 * ID tokens: signing with the tenant's active key, the `at_hash`/`c_hash` values (reference
 * §5.1), and verifying our own ID tokens when they come back as `id_token_hint`. jose does the
 * JOSE work; this module only chooses keys and options.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import { base64UrlEncode, utf8 } from '../security/encoding'
import { activeSigningKey, verificationKey, type KeyDeps, type SigningAlg } from './keys'

/**
 * Signs `claims` (already complete: `iss`, `sub`, `aud`, `exp`, `iat`… in seconds, §5.2 item 4)
 * as a compact JWS with the tenant's active key for `alg`. The header carries `kid` (§1.3) and
 * `typ: 'JWT'`, which keeps an ID token distinguishable from an RFC 9068 access token
 * (`at+jwt`) signed by the same key.
 *
 * @example
 * const idToken = await signIdToken(deps, tenant.id, client.idTokenSignedResponseAlg, {
 *   iss: issuer, sub, aud: client.id, iat: now, exp: now + 3600, nonce,
 * })
 */
export async function signIdToken(
  deps: KeyDeps,
  tenantId: string,
  alg: SigningAlg,
  claims: JWTPayload,
): Promise<string> {
  const { kid, key } = await activeSigningKey(deps, tenantId, alg)
  return new SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'JWT' }).sign(key)
}

/**
 * The hash each ID token `alg` uses for `at_hash`/`c_hash` (OIDC Core §3.1.3.6, §3.3.2.11).
 * EdDSA names no hash; SHA-512 is what the OIDC Core errata, the OIDF suite, node-oidc-provider
 * and oauth4webapi use (§5.1) — SHA-256 there would make conformant RPs reject the token.
 */
const HASH_OF: Record<SigningAlg, 'SHA-256' | 'SHA-512'> = {
  RS256: 'SHA-256',
  EdDSA: 'SHA-512',
}

/**
 * `at_hash` (and, given a code, `c_hash`): base64url of the left half of the hash of the
 * token's ASCII octets — 22 characters for RS256, 43 for EdDSA.
 *
 * @example
 * await atHash('jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y', 'RS256') // 22 characters
 */
export async function atHash(token: string, alg: SigningAlg): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest(HASH_OF[alg], utf8(token)))
  return base64UrlEncode(digest.subarray(0, digest.length / 2))
}

export interface OwnTokenOptions {
  /**
   * Accept an expired token: for `id_token_hint`, which only identifies the user, OIDC Core
   * §3.1.2.1 says the OP SHOULD accept an expired one. The signature, `iss` and `typ` are still
   * checked; a key deleted after its retention ends its tokens' usefulness as hints too.
   */
  ignoreExpiry?: boolean
}

/**
 * The payload of an ID token this tenant issued, or undefined when it is not one: unknown or
 * deleted `kid`, a header `alg` other than the key's own (no algorithm confusion), a bad
 * signature, another issuer, a `typ` other than `JWT`, or expired (unless `ignoreExpiry`).
 *
 * @example
 * const hint = await verifyOwnIdToken(deps, tenant.id, issuer, idTokenHint, { ignoreExpiry: true })
 * if (hint?.sub !== session.subject) throw new OAuthError('login_required', '…')
 */
export async function verifyOwnIdToken(
  deps: Pick<KeyDeps, 'db' | 'now'>,
  tenantId: string,
  issuer: string,
  token: string,
  options: OwnTokenOptions = {},
): Promise<JWTPayload | undefined> {
  let header: ReturnType<typeof decodeProtectedHeader>
  let exp: number | undefined
  try {
    header = decodeProtectedHeader(token)
    exp = decodeJwt(token).exp
  } catch {
    return undefined
  }
  if (typeof header.kid !== 'string') return undefined
  const found = await verificationKey(deps, tenantId, header.kid)
  if (!found || header.alg !== found.alg) return undefined
  let currentDate = deps.now()
  if (options.ignoreExpiry && exp !== undefined && exp * 1000 <= currentDate.getTime()) {
    // jose has no "ignore exp" switch: judge the token as of the second before it expired.
    currentDate = new Date((exp - 1) * 1000)
  }
  try {
    const { payload } = await jwtVerify(token, found.key, {
      issuer,
      algorithms: [found.alg],
      typ: 'JWT',
      currentDate,
      requiredClaims: ['sub', 'aud', 'exp', 'iat'],
    })
    return payload
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined
    throw error
  }
}
