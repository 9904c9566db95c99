/**
 * The authentication framework's contracts (issue "Authentication framework for Hono apps"; seed
 * 002, Cloud CMS's model): a **strategy** joins a **provider** (the upstream identity system), an
 * **adapter** (how a request presents an identity) and an **authenticator** (how the resolved
 * identity is bound to the browser). Each is a small interface built by a factory function; a
 * custom one is an object literal that satisfies it.
 */
import type { Context } from 'hono'

/** Claims as an upstream asserted them (an ID token's, a userinfo answer, a trusted JWT's). */
export type Profile = Record<string, unknown>

/** What a provider makes of a profile: the upstream's id for the user, their fields, groups. */
export interface MappedProfile {
  externalId: string
  email?: string
  emailVerified?: boolean
  givenName?: string
  familyName?: string
  name?: string
  groups: string[]
}

/** Who a request is, once authenticated: what lands on `c.get('identity')`. */
export interface Identity {
  /** The local account's id (the user store's). */
  id: string
  strategy: string
  externalId: string
  email?: string
  name?: string
  groups: string[]
}

/** What an adapter found on a request. */
export type Presented =
  | { kind: 'none' }
  /** A token the provider must verify (a bearer JWT, a header, a cookie set by a proxy). */
  | { kind: 'token'; token: string }
  /** An identity this app sealed itself (its session cookie): trusted as it is. */
  | { kind: 'identity'; identity: Identity }
  /** Something was presented and is unusable (tampered, expired, malformed). */
  | { kind: 'invalid'; reason: string }

export interface Adapter {
  readonly type: string
  identify(c: Context): Promise<Presented>
}

export type ProviderResult =
  { kind: 'profile'; profile: Profile; returnTo?: string } | { kind: 'failed'; reason: string }

export interface Provider {
  readonly type: string
  /** `GET /auth/:strategy`: the redirect to the upstream's login (absent for token-only providers). */
  begin?(c: Context, strategy: StrategyRuntime): Promise<Response>
  /** `GET|POST /auth/:strategy/callback`: the upstream's answer, checked. */
  complete?(c: Context, strategy: StrategyRuntime): Promise<ProviderResult>
  /** A presented token → its verified profile, or null (never decode-only). */
  verify(token: string): Promise<Profile | null>
  mapProfile(profile: Profile): MappedProfile
}

export interface Authenticator {
  readonly type: string
  login(c: Context, identity: Identity): Promise<void>
  logout(c: Context): Promise<void>
}

/** Finds or creates the local account of an upstream identity. */
export interface UserStore {
  sync(
    strategy: string,
    profile: MappedProfile,
    options: { autoRegister: boolean },
  ): Promise<SyncResult>
}

export type SyncResult =
  | { kind: 'ok'; identity: Identity }
  /** No account, and `autoRegister` is off. */
  | { kind: 'no_account' }
  /** A local account has the email, and linking is not safe (unverified on either side). */
  | { kind: 'not_linked' }

/** A registration waiting for the app (`registrationRedirect`/`registrationHandler`). */
export interface PendingRegistration {
  strategy: string
  profile: MappedProfile
}

/** Handlers the seed lets a strategy configure, Hono-style (they may call `next`). */
export type AuthHandler = (
  c: Context,
  next: () => Promise<void>,
) => Response | Promise<Response | void>

/** A strategy's configuration (seed 002), by names of the configured components. */
export interface StrategyConfig {
  provider: string
  adapter?: string
  authenticator?: string
  successRedirect?: string
  loginRedirect?: string
  loginHandler?: AuthHandler
  failureRedirect?: string
  noAccountRedirect?: string
  noAccountHandler?: AuthHandler
  registrationRedirect?: string
  registrationHandler?: (c: Context, pending: PendingRegistration) => Response | Promise<Response>
  logoutRedirect?: string
  /** Create the account on first sight (default true). */
  autoRegister?: boolean
  /** No identity → straight to `/auth/<strategy>` instead of `loginRedirect`. */
  autoLogin?: boolean
  adapterFailureRedirect?: string
  adapterFailureHandler?: (c: Context, reason: string) => Response | Promise<Response>
  userSyncErrorHandler?: (c: Context, error: unknown) => Response | Promise<Response>
  /** Groups of which the user must have at least one; checked before any account is written. */
  mandatoryGroups?: string[]
}

export interface AuthConfig {
  /** At least 32 characters: seals the state and session cookies (derived per purpose). */
  secret: string
  adapters?: Record<string, Adapter>
  providers: Record<string, Provider>
  authenticators?: Record<string, Authenticator>
  strategies: Record<string, StrategyConfig>
  users: UserStore
  /** Where the routes are mounted (default `/auth`). */
  basePath?: string
  /** Absolute URLs (origins or prefixes) that redirects may go to besides this app's paths. */
  allowedRedirects?: string[]
  /**
   * The app's public origin (e.g. https://app.example.com), for the redirect URIs given to
   * upstreams; default: the request's own, which behind a proxy may not be the public one.
   */
  baseUrl?: string
}

/** A strategy with its components resolved. */
export interface StrategyRuntime {
  name: string
  config: StrategyConfig
  provider: Provider
  adapter: Adapter | undefined
  authenticator: Authenticator | undefined
  /** `/auth/<name>` and its callback, relative to the app. */
  loginPath: string
  callbackPath: string
  /** The framework's secret (providers seal their state with it) and redirect allowlist. */
  secret: string
  allowedRedirects: readonly string[]
  baseUrl: string | undefined
}
