/**
 * Token ids that describe their token. Stormpath stored every token it issued and served it at
 * `/accessTokens/{jti}` and `/refreshTokens/{jti}` (stormpath-api reference §14); Edgepass keeps
 * no token table, so a `jti` carries what rebuilding the token needs — key, application,
 * account, times, a random nonce — and a MAC under the secret of the API key that signed it.
 *
 * The MAC is what makes `GET /accessTokens/{jti}` safe: it re-signs the token with that key, so
 * without it any administrator of the tenant could have tokens minted under another
 * administrator's key for any account (a signing oracle).
 *
 * Format: `a|r . apiKeyId . applicationId . accountId . iat . ttl . nonce [. iat . ttl . nonce] . mac`
 * with times in base 36 seconds, the optional triple naming an access token's refresh token
 * (its `rti`), and the MAC as 16 bytes of HMAC-SHA-256, base64url.
 */
import { timingSafeEqual } from '../security/constant-time'
import { base64UrlEncode, utf8 } from '../security/encoding'

export type TokenKind = 'access' | 'refresh'

/** When and with what nonce a token was issued; the nonce alone tells tokens apart. */
export interface TokenIssue {
  issuedAt: number
  ttlSeconds: number
  nonce: string
}

/** Everything a Stormpath OAuth token says, and so everything its id must carry. */
export interface TokenId extends TokenIssue {
  kind: TokenKind
  apiKeyId: string
  applicationId: string
  accountId: string
  /** An access token's refresh token (same key, application and account), if any. */
  refresh?: TokenIssue
}

/** Domain separation: this MAC can never be mistaken for a JWT signature under the same key. */
const MAC_CONTEXT = 'edgepass:stormpath-oauth-token-id:'
const MAC_BYTES = 16
/** Longer input is refused before it is split: ids are about 170 characters. */
export const MAX_TOKEN_ID_LENGTH = 400

const ID = /^[A-Za-z0-9_-]{1,64}$/
const SECONDS = /^[0-9a-z]{1,8}$/
const MAC = /^[A-Za-z0-9_-]{22}$/

/**
 * The id of a token, MAC'd with the secret of the API key that signs it.
 *
 * @example
 * const jti = await sealTokenId(
 *   { kind: 'refresh', apiKeyId, applicationId, accountId, issuedAt, ttlSeconds: 5184000, nonce },
 *   secret,
 * )
 */
export async function sealTokenId(id: TokenId, secret: string): Promise<string> {
  const fields = [
    id.kind === 'access' ? 'a' : 'r',
    id.apiKeyId,
    id.applicationId,
    id.accountId,
    ...issueFields(id),
    ...(id.refresh ? issueFields(id.refresh) : []),
  ]
  const body = fields.join('.')
  return `${body}.${await macOf(body, secret)}`
}

/** The id of the refresh token an access token was issued with. */
export function refreshIdOf(access: TokenId): TokenId | undefined {
  if (!access.refresh) return undefined
  const { apiKeyId, applicationId, accountId } = access
  return { kind: 'refresh', apiKeyId, applicationId, accountId, ...access.refresh }
}

/**
 * Reads an id without checking its MAC: enough to find the key that checks it. Undefined when
 * the text is not shaped like one of our ids.
 */
export function parseTokenId(text: string): TokenId | undefined {
  if (text.length > MAX_TOKEN_ID_LENGTH) return undefined
  const parts = text.split('.')
  if (parts.length !== 8 && parts.length !== 11) return undefined
  const [kind, apiKeyId, applicationId, accountId, ...rest] = parts as [string, ...string[]]
  if (kind !== 'a' && kind !== 'r') return undefined
  if (![apiKeyId, applicationId, accountId].every((value) => ID.test(value!))) return undefined
  if (!MAC.test(rest[rest.length - 1]!)) return undefined
  const own = readIssue(rest.slice(0, 3))
  const refresh = rest.length === 7 ? readIssue(rest.slice(3, 6)) : undefined
  // Only access tokens name a refresh token.
  if (!own || (rest.length === 7 && (!refresh || kind !== 'a'))) return undefined
  return {
    kind: kind === 'a' ? 'access' : 'refresh',
    apiKeyId: apiKeyId!,
    applicationId: applicationId!,
    accountId: accountId!,
    ...own,
    ...(refresh ? { refresh } : {}),
  }
}

/** Whether `text`'s MAC is the one `secret` gives: the id was issued with that key. */
export async function isAuthenticTokenId(text: string, secret: string): Promise<boolean> {
  const dot = text.lastIndexOf('.')
  if (dot < 0) return false
  return timingSafeEqual(await macOf(text.slice(0, dot), secret), text.slice(dot + 1))
}

function issueFields(issue: TokenIssue): string[] {
  return [issue.issuedAt.toString(36), issue.ttlSeconds.toString(36), issue.nonce]
}

function readIssue([issuedAt, ttl, nonce]: string[]): TokenIssue | undefined {
  if (!SECONDS.test(issuedAt!) || !SECONDS.test(ttl!) || !ID.test(nonce!)) return undefined
  return { issuedAt: parseInt(issuedAt!, 36), ttlSeconds: parseInt(ttl!, 36), nonce: nonce! }
}

async function macOf(body: string, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    utf8(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign('HMAC', key, utf8(`${MAC_CONTEXT}${body}`))
  return base64UrlEncode(new Uint8Array(mac).subarray(0, MAC_BYTES))
}
