/**
 * What the suites around the token endpoint share (introspection, revocation, logout, CORS,
 * sessions): a tenant with an administrator, a directory with one user, clients of their own
 * applications, openid-client configurations, and the full login that yields tokens. Call it
 * inside `describeTargets`: it registers its own hooks.
 */
import { beforeAll, beforeEach, expect } from 'bun:test'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { TEST_BASE_URL, type Target } from '../harness/targets'
import { restClient, type Json } from '../rest/rest-client'
import { authorizeThrough, browser, json, type Browser } from './browser'

export const ISSUER = `${TEST_BASE_URL}/openid`
export const REDIRECT = 'https://rp.example.com/callback'
export const PASSWORD = 'Secret-pass-123'

/** A registered client as the create answered it. */
export interface RegisteredClient {
  clientId: string
  clientSecret?: string
  application: { href: string }
}

export function oidcFixture(target: Target, tenantKey: string) {
  let admin: Admin
  let directory: Json
  let account: Json
  let serial = 0
  const api = restClient(target, () => admin)
  const username = 'grace'

  const fetchVia: client.CustomFetch = async (url, options) =>
    target.request(url.slice(TEST_BASE_URL.length), options as RequestInit)

  /** A client of its own application, mapped to the users' directory. */
  const newClient = async (body: Json = {}): Promise<RegisteredClient> => {
    const owner = (await api('POST', '/v1/applications', { name: `RP app ${++serial}` })).body
    await api('POST', '/v1/accountStoreMappings', {
      application: { href: owner.href },
      accountStore: { href: directory.href },
    })
    const reply = await api('POST', '/v1/oidcClients', {
      application: { href: owner.href },
      redirectUris: [REDIRECT],
      ...body,
    })
    expect(reply.status).toBe(201)
    return reply.body as RegisteredClient
  }

  /** openid-client's view of the issuer for `registered`: Basic for confidential clients. */
  const configure = (registered: RegisteredClient, auth?: client.ClientAuth) =>
    client.discovery(
      new URL(ISSUER),
      registered.clientId,
      registered.clientSecret,
      auth ??
        (registered.clientSecret === undefined
          ? client.None()
          : client.ClientSecretBasic(registered.clientSecret)),
      { execute: [client.allowInsecureRequests], [client.customFetch]: fetchVia },
    )

  /** One login through the interaction API; answers the tokens and the browser (its session). */
  const codeFlow = async (
    configuration: client.Configuration,
    options: {
      scope?: string
      b?: Browser
      extra?: Record<string, string>
      /** Another account of the directory (same password); default the fixture's user. */
      login?: { username: string }
    } = {},
  ) => {
    const b = options.b ?? browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT,
      scope: options.scope ?? 'openid offline_access',
      prompt: 'consent',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...options.extra,
    })
    const redirect = await authorizeThrough(b, url.href, {
      username: options.login?.username ?? username,
      password: PASSWORD,
    })
    expect(redirect.status).toBe(303)
    const tokens = await client.authorizationCodeGrant(
      configuration,
      new URL(redirect.headers.get('location')!),
      { pkceCodeVerifier: verifier },
    )
    return { tokens, b }
  }

  let users = 0
  /** A new account (password {@link PASSWORD}) named `${prefix}${n}`, in the users' directory. */
  const newUser = async (prefix = 'user', directoryHref?: string) => {
    const name = `${prefix}${++users}`
    const reply = await api('POST', `${directoryHref ?? directory.href}/accounts`, {
      username: name,
      email: `${name}@example.com`,
      password: PASSWORD,
      givenName: 'Test',
      surname: 'User',
    })
    expect(reply.status).toBe(201)
    const href = reply.body.href as string
    return { username: name, href, id: href.split('/').pop()! }
  }

  /** An authorization request (PKCE, scope `openid`) started in `b`: the interaction's URL. */
  const startSignIn = async (
    b: Browser,
    configuration: client.Configuration,
    verifier = client.randomPKCECodeVerifier(),
    extra: Record<string, string> = {},
  ) => {
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    })
    const reply = await b.request(url.href)
    expect(reply.status).toBe(303)
    return reply.headers.get('location')!
  }

  /** The password step through the JSON interface: the interaction's URL and its answer. */
  const passwordStep = async (
    b: Browser,
    configuration: client.Configuration,
    name: string,
    verifier?: string,
  ) => {
    const interaction = await startSignIn(b, configuration, verifier)
    const reply = await b.request(
      `${interaction}/login`,
      json({ username: name, password: PASSWORD }),
    )
    return { interaction, answer: (await reply.json()) as Record<string, any> }
  }

  /** Follows `redirectTo` back to the client and redeems the code: the ID token's claims. */
  const claimsAfter = async (
    b: Browser,
    configuration: client.Configuration,
    redirectTo: string,
    verifier: string,
  ) => {
    const back = await b.follow(redirectTo)
    const tokens = await client.authorizationCodeGrant(
      configuration,
      new URL(back.headers.get('location')!),
      { pkceCodeVerifier: verifier },
    )
    return tokens.claims()!
  }

  /** A form POST to the provider; `auth` becomes the Authorization header. */
  const postForm = (
    path: string,
    fields: Record<string, string> | string,
    headers: Record<string, string> = {},
  ) =>
    target.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
    })

  const basic = (registered: RegisteredClient, secret = registered.clientSecret ?? '') =>
    `Basic ${btoa(`${registered.clientId}:${secret}`)}`

  /** Userinfo's status for an access token: 200 while it lives, 401 once revoked. */
  const userinfoStatus = async (accessToken: string) =>
    (await target.request('/openid/me', { headers: { authorization: `Bearer ${accessToken}` } }))
      .status

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `${tenantKey}-${target.name}`)
    directory = (await api('POST', '/v1/directories', { name: 'RP users' })).body
    const created = await api('POST', `${directory.href}/accounts`, {
      username,
      email: 'grace@example.com',
      password: PASSWORD,
      givenName: 'Grace',
      surname: 'Hopper',
    })
    expect(created.status).toBe(201)
    account = created.body
  })

  // One user logs in many times; the per-login limit has its own tests.
  beforeEach(async () => {
    await target.db.delete(schema.rateLimits)
  })

  return {
    api,
    username,
    admin: () => admin,
    directory: () => directory,
    /** The user's account as created (`href`, …). */
    account: () => account,
    newClient,
    configure,
    codeFlow,
    newUser,
    startSignIn,
    passwordStep,
    claimsAfter,
    postForm,
    basic,
    userinfoStatus,
  }
}
