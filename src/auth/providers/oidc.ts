/**
 * A generic OpenID Connect provider on oauth4webapi (auth-framework reference §7.4): discovery,
 * the code flow with PKCE (S256), `state` and `nonce`, all three and the return path sealed in a
 * short-lived httpOnly cookie scoped to the callback and consumed by it; the ID token validated
 * (issuer, audience, nonce, signature through the TLS channel and JWKS as oauth4webapi checks).
 * Presets for Google, Microsoft Entra ID, Keycloak and another Edgepass only fill the issuer.
 */
import * as oauth from 'oauth4webapi'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { safeRedirect } from '../redirects'
import { openClaims, sealClaims } from '../seal'
import type { Provider, ProviderResult, StrategyRuntime } from '../types'
import { mapStandardClaims } from './trusted-jwt'

export interface OidcOptions {
  issuer: string
  clientId: string
  /** Confidential clients; public clients rely on PKCE alone. */
  clientSecret?: string
  scopes?: string[]
  groupsClaim?: string
  /** Absolute callback URL when the app is behind a proxy (default: the request's origin). */
  redirectUri?: string
  /** For tests and custom transports (oauth4webapi's customFetch). */
  fetch?: typeof fetch
  /** Allows http:// issuers: local test IdPs only. */
  allowInsecureRequests?: boolean
}

const STATE_PURPOSE = 'auth-state/v1'
const STATE_TTL_SECONDS = 600

/**
 * @example
 * oidcProvider({ issuer: 'https://accounts.google.com', clientId, clientSecret })
 */
export function oidcProvider(options: OidcOptions): Provider {
  const issuer = new URL(options.issuer)
  const client: oauth.Client = { client_id: options.clientId }
  const clientAuth = options.clientSecret
    ? oauth.ClientSecretBasic(options.clientSecret)
    : oauth.None()
  const requestOptions = {
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(options.allowInsecureRequests ? { [oauth.allowInsecureRequests]: true } : {}),
  }
  let metadata: Promise<oauth.AuthorizationServer> | undefined
  const discover = () => {
    metadata ??= oauth
      .discoveryRequest(issuer, { ...requestOptions, algorithm: 'oidc' })
      .then((response) => oauth.processDiscoveryResponse(issuer, response))
      .catch((error: unknown) => {
        metadata = undefined // try again next time
        throw error
      })
    return metadata
  }
  const stateCookie = (strategy: StrategyRuntime) => `edgepass_auth_state_${strategy.name}`
  const redirectUriOf = (url: string, strategy: StrategyRuntime) =>
    options.redirectUri ?? new URL(strategy.callbackPath, strategy.baseUrl ?? url).href
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined

  return {
    type: 'oidc',
    async begin(c, strategy) {
      const as = await discover()
      const verifier = oauth.generateRandomCodeVerifier()
      const state = oauth.generateRandomState()
      const nonce = oauth.generateRandomNonce()
      const fallback = strategy.config.successRedirect ?? '/'
      const returnTo = safeRedirect(
        c.req.query('returnTo') ?? c.req.query('requested_url'),
        fallback,
        strategy.allowedRedirects,
      )
      const sealed = await sealClaims(
        strategy.secret,
        STATE_PURPOSE,
        { strategy: strategy.name, state, nonce, verifier, returnTo },
        STATE_TTL_SECONDS,
      )
      setCookie(c, stateCookie(strategy), sealed, {
        path: strategy.callbackPath,
        httpOnly: true,
        sameSite: 'Lax',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: STATE_TTL_SECONDS,
      })
      const url = new URL(as.authorization_endpoint!)
      url.searchParams.set('client_id', options.clientId)
      url.searchParams.set('redirect_uri', redirectUriOf(c.req.url, strategy))
      url.searchParams.set('response_type', 'code')
      url.searchParams.set('scope', (options.scopes ?? ['openid', 'email', 'profile']).join(' '))
      url.searchParams.set('state', state)
      url.searchParams.set('nonce', nonce)
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
      url.searchParams.set('code_challenge_method', 'S256')
      return c.redirect(url.href, 302)
    },
    async complete(c, strategy): Promise<ProviderResult> {
      const sealed = getCookie(c, stateCookie(strategy))
      deleteCookie(c, stateCookie(strategy), { path: strategy.callbackPath })
      const saved = sealed && (await openClaims(strategy.secret, STATE_PURPOSE, sealed))
      if (!saved || saved.strategy !== strategy.name) {
        return {
          kind: 'failed',
          reason: 'the sign-in state is missing, expired or not this strategy’s',
        }
      }
      try {
        const as = await discover()
        const url = new URL(c.req.url)
        const parameters =
          c.req.method === 'POST' ? new URLSearchParams(await c.req.text()) : url.searchParams
        const checked = oauth.validateAuthResponse(as, client, parameters, String(saved.state))
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          checked,
          redirectUriOf(c.req.url, strategy),
          String(saved.verifier),
          requestOptions,
        )
        const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
          expectedNonce: String(saved.nonce),
          requireIdToken: true,
        })
        const claims = oauth.getValidatedIdTokenClaims(tokens)!
        return { kind: 'profile', profile: { ...claims }, returnTo: String(saved.returnTo) }
      } catch (error) {
        return { kind: 'failed', reason: (error as Error).message }
      }
    },
    async verify(token) {
      try {
        const as = await discover()
        jwks ??= createRemoteJWKSet(new URL(as.jwks_uri!))
        const { payload } = await jwtVerify(token, jwks, {
          issuer: as.issuer,
          audience: options.clientId,
        })
        return payload
      } catch {
        return null
      }
    },
    mapProfile: (profile) => mapStandardClaims(profile, 'sub', options.groupsClaim),
  }
}

type PresetOptions = Omit<OidcOptions, 'issuer'>

/** Google: `https://accounts.google.com`. */
export const googleProvider = (options: PresetOptions) =>
  oidcProvider({ ...options, issuer: 'https://accounts.google.com' })

/** Microsoft Entra ID, one tenant (`organizations` and `common` issuers vary per user). */
export const microsoftProvider = (options: PresetOptions & { tenantId: string }) =>
  oidcProvider({ ...options, issuer: `https://login.microsoftonline.com/${options.tenantId}/v2.0` })

/** Keycloak: a realm's issuer. */
export const keycloakProvider = (options: PresetOptions & { url: string; realm: string }) =>
  oidcProvider({ ...options, issuer: `${options.url.replace(/\/+$/, '')}/realms/${options.realm}` })

/** Another Edgepass: its default issuer, or a tenant's (`/t/{key}/openid`). */
export const edgepassProvider = (options: PresetOptions & { baseUrl: string; tenant?: string }) =>
  oidcProvider({
    ...options,
    issuer: `${options.baseUrl.replace(/\/+$/, '')}${options.tenant ? `/t/${options.tenant}` : ''}/openid`,
  })
