/**
 * Bearer secrets handed to a browser or a mailbox (session cookies, email links): 256 random
 * bits, base64url; the database keeps only their SHA-256, so a leaked table yields nothing
 * usable. SHA-256 without salt is enough here because the input has 256 bits of entropy.
 */
import { base64UrlEncode, hexEncode, utf8 } from './encoding'

/** The longest token we ever issue or look up; longer input is refused before hashing. */
export const MAX_TOKEN_LENGTH = 128

/**
 * A new random token (43 characters).
 *
 * @example
 * newSecretToken() // 'nK3x…' (base64url, 256 bits)
 */
export function newSecretToken(): string {
  return base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)))
}

/** The stored form of a token: lower-case hex SHA-256. */
export async function hashSecretToken(token: string): Promise<string> {
  return hexEncode(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(token))))
}

/** A value that could be one of our tokens: base64url, bounded length. */
export function isTokenShaped(value: string): boolean {
  return value.length > 0 && value.length <= MAX_TOKEN_LENGTH && /^[A-Za-z0-9_-]+$/.test(value)
}
