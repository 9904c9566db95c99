/**
 * The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; OIDC Core §3.1.3): authorization code
 * with PKCE, refresh token with rotation and reuse detection, client credentials. Responses
 * carry `Cache-Control: no-store` (RFC 6749 §5.1).
 */
import type { Context, Hono } from 'hono'
import * as schema from '../../db/schema'
import { formRefusalText, readUrlEncodedForm } from '../http/url-encoded-form'
import type { Deps } from '../deps'
import { base64UrlEncode, utf8 } from '../security/encoding'
import { timingSafeEqual } from '../security/constant-time'
import { runBatch } from '../store/db'
import { findInTenant } from '../store/scoped'
import type { AccountRow, OidcClientRow, OidcTokenRow } from '../store/rows'
import { claimsFor, subjectOf } from './claims'
import { acrOf } from './discovery'
import { authenticateClient } from './clients'
import type { OidcEnv } from './context'
import { allowCorsFor } from './cors'
import { OAuthError } from './errors'
import { consumeToken, grantRevocation, storeTokens, newToken, type IssuedToken } from './grants'
import { atHash, signIdToken } from './jwt'

type Ctx = Context<OidcEnv>

/** What a code remembers of its authorization request. */
interface CodeDetails {
  redirectUri: string
  nonce?: string
  codeChallenge?: string
  /** Milliseconds. */
  authTime: number
  amr: string[]
}

export function tokenRoutes(app: Hono<OidcEnv>, deps: Deps): void {
  app.post('/token', async (c) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    const form = await readForm(c)
    const client = await authenticateClient(deps, c.get('tenant').id, clientCredentials(c, form))
    allowCorsFor(c, client)
    const grantType = form.grant_type
    if (grantType === 'authorization_code') return c.json(await exchangeCode(c, deps, client, form))
    if (grantType === 'refresh_token') return c.json(await refresh(c, deps, client, form))
    if (grantType === 'client_credentials')
      return c.json(await clientCredentialsGrant(c, deps, client, form))
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required.')
    throw new OAuthError('unsupported_grant_type', 'The grant type is not supported.')
  })
}

/** A form body of strings; 400 `invalid_request` otherwise (RFC 6749 §3.2: form-encoded). */
export async function readForm(c: Ctx): Promise<Record<string, string>> {
  const reading = readUrlEncodedForm(c.req.header('content-type'), await c.req.text())
  if (reading.kind === 'refused') throw new OAuthError('invalid_request', formRefusalText(reading))
  return Object.fromEntries(reading.params)
}

/**
 * The client's credentials: HTTP Basic (`client_secret_basic`, both parts form-urlencoded per
 * RFC 6749 §2.3.1), body fields (`client_secret_post`), or a bare `client_id` (public clients).
 */
export function clientCredentials(c: Ctx, form: Record<string, string>) {
  const header = c.req.header('authorization')
  if (header?.toLowerCase().startsWith('basic ')) {
    if (form.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'Use one client authentication method.')
    }
    let decoded: string
    try {
      decoded = atob(header.slice(6).trim())
    } catch {
      throw new OAuthError('invalid_client', 'Malformed Basic credentials.', 401)
    }
    const colon = decoded.indexOf(':')
    if (colon < 0) throw new OAuthError('invalid_client', 'Malformed Basic credentials.', 401)
    const decode = (part: string) => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '))
      } catch {
        throw new OAuthError('invalid_client', 'Malformed Basic credentials.', 401)
      }
    }
    return {
      clientId: decode(decoded.slice(0, colon)),
      secret: decode(decoded.slice(colon + 1)),
      method: 'client_secret_basic' as const,
    }
  }
  if (!form.client_id)
    throw new OAuthError('invalid_client', 'Client authentication is required.', 401)
  if (form.client_secret !== undefined) {
    return {
      clientId: form.client_id,
      secret: form.client_secret,
      method: 'client_secret_post' as const,
    }
  }
  return { clientId: form.client_id, method: 'none' as const }
}

function allows(client: OidcClientRow, grantType: string): boolean {
  return (JSON.parse(client.grantTypes) as string[]).includes(grantType)
}

async function exchangeCode(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  form: Record<string, string>,
) {
  if (!allows(client, 'authorization_code')) {
    throw new OAuthError('unauthorized_client', 'The client may not use this grant type.')
  }
  const consumption = await consumeToken(deps, {
    value: form.code ?? '',
    kind: 'code',
    tenantId: c.get('tenant').id,
    clientId: client.id,
  })
  if (consumption.kind === 'invalid') throw invalidGrant('The code is invalid.')
  if (consumption.kind === 'reused') {
    // B21: a code presented twice revokes everything issued from it.
    const { grantId } = consumption.row
    if (grantId) await runBatch(deps.db, grantRevocation(deps, grantId))
    throw invalidGrant('The code has already been used.')
  }
  const code = consumption.row
  if (code.expiresAt <= deps.now()) throw invalidGrant('The code has expired.')
  const details = JSON.parse(code.details) as CodeDetails
  if (form.redirect_uri !== details.redirectUri) {
    throw invalidGrant('redirect_uri does not match the authorization request.')
  }
  if (details.codeChallenge !== undefined) {
    const verifier = form.code_verifier
    if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) {
      throw invalidGrant('code_verifier is missing or malformed.')
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(verifier)))
    if (!timingSafeEqual(base64UrlEncode(digest), details.codeChallenge)) {
      throw invalidGrant('code_verifier does not match the code_challenge.')
    }
  } else if (form.code_verifier !== undefined) {
    throw invalidGrant('code_verifier sent for a request without code_challenge.')
  }
  return issueTokens(c, deps, client, code, details)
}

async function refresh(c: Ctx, deps: Deps, client: OidcClientRow, form: Record<string, string>) {
  if (!allows(client, 'refresh_token')) {
    throw new OAuthError('unauthorized_client', 'The client may not use this grant type.')
  }
  // B29: another client's refresh token is just invalid for this one; so is one whose grant
  // was revoked.
  const consumption = await consumeToken(deps, {
    value: form.refresh_token ?? '',
    kind: 'refresh',
    tenantId: c.get('tenant').id,
    clientId: client.id,
  })
  if (consumption.kind === 'invalid') throw invalidGrant('The refresh token is invalid.')
  if (consumption.kind === 'reused') {
    // Reuse of a rotated token: someone holds a copy. Revoke the whole grant (reference §6.5).
    const { grantId } = consumption.row
    if (grantId) await runBatch(deps.db, grantRevocation(deps, grantId))
    throw invalidGrant('The refresh token has already been used.')
  }
  const token = consumption.row
  if (token.expiresAt <= deps.now()) throw invalidGrant('The refresh token has expired.')
  const details = JSON.parse(token.details) as CodeDetails
  const requested = form.scope ? form.scope.split(' ').filter(Boolean) : undefined
  const granted = token.scope.split(' ')
  if (requested && !requested.every((scope) => granted.includes(scope))) {
    throw new OAuthError('invalid_scope', 'The scope exceeds what was granted.')
  }
  return issueTokens(
    c,
    deps,
    client,
    { ...token, scope: (requested ?? granted).join(' ') },
    details,
  )
}

async function clientCredentialsGrant(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  form: Record<string, string>,
) {
  if (client.tokenEndpointAuthMethod === 'none' || !allows(client, 'client_credentials')) {
    throw new OAuthError('unauthorized_client', 'The client may not use this grant type.')
  }
  const scope = (form.scope ?? '')
    .split(' ')
    .filter((s) => s && s !== 'openid' && s !== 'offline_access')
  const access = await newToken(deps, {
    kind: 'access',
    tenantId: c.get('tenant').id,
    clientId: client.id,
    grantId: null,
    accountId: null,
    sessionId: null,
    scope: scope.join(' '),
    details: '{}',
    ttlSeconds: client.accessTokenTtlSeconds,
  })
  await storeTokens(deps, [access])
  return {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: client.accessTokenTtlSeconds,
    ...(scope.length > 0 ? { scope: scope.join(' ') } : {}),
  }
}

/** Access token, ID token and (per client policy) a rotated refresh token for a code or refresh. */
async function issueTokens(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  source: OidcTokenRow,
  details: CodeDetails,
) {
  const account = await findInTenant(deps.db, schema.accounts, source.tenantId, source.accountId!)
  if (!account || account.status !== 'ENABLED') throw invalidGrant('The account is not active.')
  const scopes = source.scope.split(' ').filter(Boolean)
  const common = {
    tenantId: c.get('tenant').id,
    clientId: client.id,
    grantId: source.grantId,
    accountId: account.id,
    sessionId: source.sessionId,
    scope: source.scope,
  }
  const access = await newToken(deps, {
    ...common,
    kind: 'access',
    details: '{}',
    ttlSeconds: client.accessTokenTtlSeconds,
  })
  const tokens: IssuedToken[] = [access]
  const wantsRefresh =
    allows(client, 'refresh_token') &&
    client.refreshTokenTtlSeconds > 0 &&
    (scopes.includes('offline_access') || client.alwaysIssueRefreshToken)
  let refreshToken: IssuedToken | undefined
  if (wantsRefresh) {
    refreshToken = await newToken(deps, {
      ...common,
      kind: 'refresh',
      details: JSON.stringify({
        ...details,
        redirectUri: undefined,
        codeChallenge: undefined,
        nonce: undefined,
      }),
      ttlSeconds: client.refreshTokenTtlSeconds,
    })
    tokens.push(refreshToken)
  }
  await storeTokens(deps, tokens)
  const idToken = await buildIdToken(
    c,
    deps,
    client,
    account,
    scopes,
    details,
    access.value,
    source.sessionId,
  )
  return {
    access_token: access.value,
    token_type: 'Bearer',
    expires_in: client.accessTokenTtlSeconds,
    id_token: idToken,
    ...(refreshToken ? { refresh_token: refreshToken.value } : {}),
    scope: source.scope,
  }
}

async function buildIdToken(
  c: Ctx,
  deps: Deps,
  client: OidcClientRow,
  account: AccountRow,
  scopes: string[],
  details: CodeDetails,
  accessToken: string,
  sessionId: string | null,
): Promise<string> {
  const now = Math.floor(deps.now().getTime() / 1000)
  const alg = client.idTokenSignedResponseAlg
  const claims = await claimsFor(deps, { client, account, scopes })
  return signIdToken(deps, c.get('tenant').id, alg, {
    ...claims.idToken,
    iss: c.get('issuer'),
    sub: subjectOf(client, account),
    aud: client.id,
    exp: now + client.idTokenTtlSeconds,
    iat: now,
    auth_time: Math.floor(details.authTime / 1000),
    ...(details.nonce !== undefined ? { nonce: details.nonce } : {}),
    amr: details.amr,
    acr: acrOf(details.amr),
    ...(sessionId ? { sid: sessionId } : {}),
    at_hash: await atHash(accessToken, alg),
  })
}

function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description)
}
