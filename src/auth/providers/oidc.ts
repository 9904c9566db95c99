/**
 * Upstream providers of the authorization code flow, on oauth4webapi (auth-framework reference
 * §7.4): the code flow with PKCE (S256) and `state` (plus `nonce` for OpenID Connect), all of
 * them and the return path sealed in a short-lived httpOnly cookie scoped to the callback and
 * consumed by it.
 *
 * - `oidcProvider`: discovery, the ID token validated (issuer, audience, nonce, expiry); presets
 *   for Google, Microsoft Entra ID, Keycloak and another Edgepass only fill the issuer;
 * - `oauth2Provider`: plain OAuth 2.0 with a userinfo endpoint (GitHub, Facebook, which are not
 *   OpenID Connect providers); presets `githubProvider`, `facebookProvider`.
 */
import * as oauth from 'oauth4webapi'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { safeRedirect } from '../redirects'
import { openClaims, sealClaims } from '../seal'
import type { MappedProfile, Profile, Provider, ProviderResult, StrategyRuntime } from '../types'
import { mapStandardClaims } from './trusted-jwt'

interface ClientOptions {
  clientId: string
  /** Confidential clients; public clients rely on PKCE alone. */
  clientSecret?: string
  scopes?: string[]
  /** Absolute callback URL when the app is behind a proxy (default: `baseUrl` or the request's). */
  redirectUri?: string
  /** For tests and custom transports (oauth4webapi's customFetch). */
  fetch?: typeof fetch
  /** Allows http:// endpoints: local test IdPs only. */
  allowInsecureRequests?: boolean
}

export interface OidcOptions extends ClientOptions {
  issuer: string
  groupsClaim?: string
}

const STATE_PURPOSE = 'auth-state/v1'
const STATE_TTL_SECONDS = 600

/** What differs between OpenID Connect and plain OAuth 2.0 providers. */
interface CodeFlowSpec {
  type: string
  metadata(): Promise<oauth.AuthorizationServer>
  scopes: string[]
  /** OpenID Connect: a nonce, and the ID token required. */
  oidc: boolean
  profileOf(tokens: oauth.TokenEndpointResponse, as: oauth.AuthorizationServer): Promise<Profile>
  verify(token: string): Promise<Profile | null>
  mapProfile(profile: Profile): MappedProfile
}

function codeFlowProvider(options: ClientOptions, spec: CodeFlowSpec): Provider {
  const client: oauth.Client = { client_id: options.clientId }
  const clientAuth = options.clientSecret
    ? oauth.ClientSecretBasic(options.clientSecret)
    : oauth.None()
  const stateCookie = (strategy: StrategyRuntime) => `edgepass_auth_state_${strategy.name}`
  const redirectUriOf = (url: string, strategy: StrategyRuntime) =>
    options.redirectUri ?? new URL(strategy.callbackPath, strategy.baseUrl ?? url).href
  return {
    type: spec.type,
    async begin(c, strategy) {
      const as = await spec.metadata()
      const verifier = oauth.generateRandomCodeVerifier()
      const state = oauth.generateRandomState()
      const nonce = spec.oidc ? oauth.generateRandomNonce() : undefined
      const returnTo = safeRedirect(
        c.req.query('returnTo') ?? c.req.query('requested_url'),
        strategy.config.successRedirect ?? '/',
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
        // The public origin decides (behind a TLS-terminating proxy the request says http).
        secure: new URL(strategy.baseUrl ?? c.req.url).protocol === 'https:',
        maxAge: STATE_TTL_SECONDS,
      })
      const url = new URL(as.authorization_endpoint!)
      url.searchParams.set('client_id', options.clientId)
      url.searchParams.set('redirect_uri', redirectUriOf(c.req.url, strategy))
      url.searchParams.set('response_type', 'code')
      url.searchParams.set('scope', (options.scopes ?? spec.scopes).join(' '))
      url.searchParams.set('state', state)
      if (nonce) url.searchParams.set('nonce', nonce)
      url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
      url.searchParams.set('code_challenge_method', 'S256')
      return c.redirect(url.href, 302)
    },
    async complete(c: Context, strategy): Promise<ProviderResult> {
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
        const as = await spec.metadata()
        const parameters =
          c.req.method === 'POST'
            ? new URLSearchParams(await c.req.text())
            : new URL(c.req.url).searchParams
        const checked = oauth.validateAuthResponse(as, client, parameters, String(saved.state))
        const response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          clientAuth,
          checked,
          redirectUriOf(c.req.url, strategy),
          String(saved.verifier),
          requestOptionsOf(options),
        )
        const tokens = await oauth.processAuthorizationCodeResponse(
          as,
          client,
          response,
          spec.oidc ? { expectedNonce: String(saved.nonce), requireIdToken: true } : undefined,
        )
        return {
          kind: 'profile',
          profile: await spec.profileOf(tokens, as),
          returnTo: String(saved.returnTo),
        }
      } catch (error) {
        return { kind: 'failed', reason: (error as Error).message }
      }
    },
    verify: (token) => spec.verify(token),
    mapProfile: (profile) => spec.mapProfile(profile),
  }
}

function requestOptionsOf(options: ClientOptions) {
  return {
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(options.allowInsecureRequests ? { [oauth.allowInsecureRequests]: true } : {}),
  }
}

/**
 * @example
 * oidcProvider({ issuer: 'https://accounts.google.com', clientId, clientSecret })
 */
export function oidcProvider(options: OidcOptions): Provider {
  const issuer = new URL(options.issuer)
  let metadata: Promise<oauth.AuthorizationServer> | undefined
  const discover = () => {
    metadata ??= oauth
      .discoveryRequest(issuer, { ...requestOptionsOf(options), algorithm: 'oidc' })
      .then((response) => oauth.processDiscoveryResponse(issuer, response))
      .catch((error: unknown) => {
        metadata = undefined // try again next time
        throw error
      })
    return metadata
  }
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined
  return codeFlowProvider(options, {
    type: 'oidc',
    metadata: discover,
    scopes: ['openid', 'email', 'profile'],
    oidc: true,
    profileOf: async (tokens) => ({ ...oauth.getValidatedIdTokenClaims(tokens)! }),
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
  })
}

export interface OAuth2Options extends ClientOptions {
  authorizationEndpoint: string
  tokenEndpoint: string
  /** Where the access token reads the user (`Authorization: Bearer`). */
  userinfoEndpoint: string
  /** The userinfo answer → the framework's profile (id, email, names). */
  mapProfile(profile: Profile): MappedProfile
}

/**
 * Plain OAuth 2.0 (no ID token): the profile is the userinfo endpoint's answer for the access
 * token. Presented tokens are not accepted (`verify` answers null): only the redirect flow.
 *
 * @example
 * oauth2Provider({ authorizationEndpoint, tokenEndpoint, userinfoEndpoint, clientId, clientSecret, mapProfile })
 */
export function oauth2Provider(options: OAuth2Options): Provider {
  const as: oauth.AuthorizationServer = {
    issuer: new URL(options.authorizationEndpoint).origin,
    authorization_endpoint: options.authorizationEndpoint,
    token_endpoint: options.tokenEndpoint,
  }
  return codeFlowProvider(options, {
    type: 'oauth2',
    metadata: async () => as,
    scopes: [],
    oidc: false,
    async profileOf(tokens) {
      const send = options.fetch ?? fetch
      const url = new URL(options.userinfoEndpoint)
      if (url.protocol !== 'https:' && !options.allowInsecureRequests) {
        throw new Error('the userinfo endpoint must be https')
      }
      const response = await send(url.href, {
        headers: {
          authorization: `Bearer ${tokens.access_token}`,
          accept: 'application/json',
          'user-agent': 'edgepass-auth', // GitHub refuses requests without one
        },
      })
      if (!response.ok) throw new Error(`the userinfo endpoint answered ${response.status}`)
      return (await response.json()) as Profile
    },
    verify: async () => null,
    mapProfile: options.mapProfile,
  })
}

type PresetOptions = Omit<OidcOptions, 'issuer'>
type OAuth2PresetOptions = Omit<ClientOptions, never>

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

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined)

/**
 * GitHub (OAuth 2.0; an OAuth App or a GitHub App's user tokens): the user's numeric id, login,
 * and public email (GitHub does not say whether that email is verified: linking will not trust
 * it). `endpoints` points elsewhere for GitHub Enterprise Server.
 */
export const githubProvider = (
  options: OAuth2PresetOptions & {
    endpoints?: { authorization: string; token: string; userinfo: string }
  },
) =>
  oauth2Provider({
    scopes: ['read:user', 'user:email'],
    ...options,
    authorizationEndpoint:
      options.endpoints?.authorization ?? 'https://github.com/login/oauth/authorize',
    tokenEndpoint: options.endpoints?.token ?? 'https://github.com/login/oauth/access_token',
    userinfoEndpoint: options.endpoints?.userinfo ?? 'https://api.github.com/user',
    mapProfile: (profile) => ({
      externalId: String(profile.id ?? ''),
      email: text(profile.email)?.toLowerCase(),
      emailVerified: false,
      name: text(profile.name) ?? text(profile.login),
      groups: [],
    }),
  })

/** Facebook Login (OAuth 2.0, Graph API `me`). */
export const facebookProvider = (options: OAuth2PresetOptions & { graphVersion?: string }) => {
  const version = options.graphVersion ?? 'v19.0'
  return oauth2Provider({
    scopes: ['public_profile', 'email'],
    ...options,
    authorizationEndpoint: `https://www.facebook.com/${version}/dialog/oauth`,
    tokenEndpoint: `https://graph.facebook.com/${version}/oauth/access_token`,
    userinfoEndpoint: `https://graph.facebook.com/${version}/me?fields=id,name,email,first_name,last_name`,
    mapProfile: (profile) => ({
      externalId: String(profile.id ?? ''),
      email: text(profile.email)?.toLowerCase(),
      emailVerified: false,
      givenName: text(profile.first_name),
      familyName: text(profile.last_name),
      name: text(profile.name),
      groups: [],
    }),
  })
}
