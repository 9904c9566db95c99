/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) on both targets: openid-client
 * builds the request; the session, its cookie and the tokens issued in it end; a request that
 * could be forged (no hint, or a hint for another session) needs the user's confirmation; and
 * `post_logout_redirect_uri` is an exact registered string or an error page.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as client from 'openid-client'
import * as schema from '../../db/schema'
import { describeTargets } from '../harness/targets'
import { browser, type Browser } from './browser'
import { ISSUER, oidcFixture, REDIRECT, type RegisteredClient } from './provider-fixture'

const ENDPOINT = '/openid/session/end'
const BYE = 'https://rp.example.com/bye'
const SESSION_COOKIE = 'edgepass_session'

describeTargets('RP-initiated logout', (target) => {
  const rp = oidcFixture(target, 'logout')
  let registered: RegisteredClient
  let config: client.Configuration

  beforeAll(async () => {
    registered = await rp.newClient({ postLogoutRedirectUris: [BYE] })
    config = await rp.configure(registered)
  })

  /** Whether `b` still has a live session: a silent authorization gets a code. */
  const signedIn = async (b: Browser) => {
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid',
      prompt: 'none',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    })
    const reply = await b.request(url.href)
    return new URL(reply.headers.get('location')!).searchParams.has('code')
  }
  const endSessionUrl = (params: Record<string, string>) =>
    client.buildEndSessionUrl(config, params).href
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1]
  const confirm = (b: Browser, fields: Record<string, string>) =>
    b.request(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })

  test('discovery advertises end_session_endpoint', () => {
    expect(config.serverMetadata().end_session_endpoint).toBe(`${ISSUER}/session/end`)
  })

  test('a hint for this session ends it at once: cookie cleared, tokens revoked, 303 to the URI with state', async () => {
    const { tokens, b } = await rp.codeFlow(config)
    const reply = await b.request(
      endSessionUrl({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: BYE,
        state: 'bye-state',
      }),
    )
    expect(reply.status).toBe(303)
    expect(reply.headers.get('location')).toBe(`${BYE}?state=bye-state`)
    expect(reply.headers.getSetCookie().join('\n')).toMatch(/edgepass_session=;.*Max-Age=0/)
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false)
    const sid = tokens.claims()!.sid as string
    const { oidcSessions } = schema
    expect(
      await target.db.select().from(oidcSessions).where(eq(oidcSessions.id, sid)).all(),
    ).toEqual([])
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    })
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
  })

  test('the session ends even when the browser replays its old cookie', async () => {
    const { tokens, b } = await rp.codeFlow(config)
    const cookie = b.cookies.get(SESSION_COOKIE)!
    await b.request(endSessionUrl({ id_token_hint: tokens.id_token! }))
    b.cookies.set(SESSION_COOKIE, cookie)
    expect(await signedIn(b)).toBe(false)
  })

  test('without post_logout_redirect_uri the user sees a signed-out page', async () => {
    const { tokens, b } = await rp.codeFlow(config)
    const reply = await b.request(endSessionUrl({ id_token_hint: tokens.id_token!, state: 's' }))
    expect(reply.status).toBe(200)
    expect(reply.headers.get('location')).toBeNull()
    expect(await reply.text()).toContain('You are signed out')
    expect(await signedIn(b)).toBe(false)
  })

  test('the hint works by POST as well', async () => {
    const { tokens, b } = await rp.codeFlow(config)
    const reply = await confirm(b, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: BYE,
    })
    expect([reply.status, reply.headers.get('location')]).toEqual([303, BYE])
    expect(await signedIn(b)).toBe(false)
  })

  describe('confirmation (logout CSRF)', () => {
    test('without a hint a GET only asks; the confirmed form ends the session and redirects', async () => {
      const { tokens, b } = await rp.codeFlow(config)
      const ask = await b.request(
        endSessionUrl({
          post_logout_redirect_uri: BYE,
          state: 'st',
          client_id: registered.clientId,
        }),
      )
      expect(ask.status).toBe(200)
      const html = await ask.text()
      expect(html).toContain('<form method="post"')
      expect(await signedIn(b)).toBe(true)
      expect(await rp.userinfoStatus(tokens.access_token)).toBe(200)

      const reply = await confirm(b, {
        csrf: csrfOf(html)!,
        logout: 'yes',
        client_id: registered.clientId,
        post_logout_redirect_uri: BYE,
        state: 'st',
      })
      expect([reply.status, reply.headers.get('location')]).toEqual([303, `${BYE}?state=st`])
      expect(await signedIn(b)).toBe(false)
      expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
    })

    test('a forged confirmation (missing, wrong, or another session’s token) is refused; the session stays', async () => {
      const victim = await rp.codeFlow(config)
      const attacker = await rp.codeFlow(config)
      const attackerPage = await (await attacker.b.request(ENDPOINT)).text()
      for (const csrf of ['wrong', csrfOf(attackerPage)!, '']) {
        const reply = await confirm(victim.b, { csrf, logout: 'yes' })
        expect(reply.status).toBe(403)
      }
      expect(await signedIn(victim.b)).toBe(true)
    })

    test('"Stay signed in" keeps the session and goes back to the application', async () => {
      const { tokens, b } = await rp.codeFlow(config)
      const page = await (
        await b.request(
          endSessionUrl({ client_id: registered.clientId, post_logout_redirect_uri: BYE }),
        )
      ).text()
      const reply = await confirm(b, {
        csrf: csrfOf(page)!,
        logout: 'no',
        client_id: registered.clientId,
        post_logout_redirect_uri: BYE,
        state: 'kept',
      })
      expect([reply.status, reply.headers.get('location')]).toEqual([303, `${BYE}?state=kept`])
      expect(await signedIn(b)).toBe(true)
      expect(await rp.userinfoStatus(tokens.access_token)).toBe(200)
    })

    test("an RP's cross-site form POST (no Lax cookie) is relayed as a GET, which ends the session", async () => {
      const { tokens, b } = await rp.codeFlow(config)
      const fields = {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: BYE,
        state: 'posted',
      }
      // The browser leaves its SameSite=Lax cookie out of a cross-site POST.
      const posted = await confirm(browser(target), fields)
      expect(posted.status).toBe(303)
      const relay = new URL(posted.headers.get('location')!)
      expect(relay.origin + relay.pathname).toBe(`${ISSUER}/session/end`)
      expect(Object.fromEntries(relay.searchParams)).toEqual(fields)
      // The redirect is a top-level GET navigation: the cookie comes along.
      const reply = await b.request(relay.href)
      expect([reply.status, reply.headers.get('location')]).toEqual([303, `${BYE}?state=posted`])
      expect(await signedIn(b)).toBe(false)
    })

    test('a POST without a hint or the confirmation fields only asks', async () => {
      const { b } = await rp.codeFlow(config)
      const reply = await confirm(b, { client_id: registered.clientId })
      expect(reply.status).toBe(200)
      expect(await reply.text()).toContain('Do you want to sign out?')
      expect(await signedIn(b)).toBe(true)
    })

    test("a cross-site POST carries no session cookie (SameSite=Lax) and ends nobody's session", async () => {
      const victim = await rp.codeFlow(config)
      const page = await (await victim.b.request(ENDPOINT)).text()
      // The attacker even knows the token somehow; without the cookie there is no session here.
      const reply = await confirm(browser(target), { csrf: csrfOf(page)!, logout: 'yes' })
      expect(reply.status).toBe(200)
      expect(await signedIn(victim.b)).toBe(true)
    })

    test("logout CSRF: someone else's ID token does not sign this browser out", async () => {
      const victim = await rp.codeFlow(config)
      const other = await rp.codeFlow(config)
      const reply = await victim.b.request(
        endSessionUrl({ id_token_hint: other.tokens.id_token!, post_logout_redirect_uri: BYE }),
      )
      expect(reply.status).toBe(200)
      expect(await reply.text()).toContain('Do you want to sign out?')
      expect(await signedIn(victim.b)).toBe(true)
    })

    test('the pages cannot be framed, cached or scripted, and echo parameters escaped', async () => {
      const { b } = await rp.codeFlow(config)
      const state = '"><script>alert(1)</script>'
      const reply = await b.request(
        endSessionUrl({ client_id: registered.clientId, post_logout_redirect_uri: BYE, state }),
      )
      expect(reply.headers.get('x-frame-options')).toBe('DENY')
      expect(reply.headers.get('cache-control')).toBe('no-store')
      const csp = reply.headers.get('content-security-policy')!
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain(`form-action 'self' https://rp.example.com`)
      const html = await reply.text()
      expect(html).not.toContain('<script>')
      expect(html).toContain('&quot;&gt;&lt;script&gt;')
    })

    test('without a session there is nothing to confirm: the registered redirect happens', async () => {
      const reply = await browser(target).request(
        endSessionUrl({
          client_id: registered.clientId,
          post_logout_redirect_uri: BYE,
          state: 'x',
        }),
      )
      expect([reply.status, reply.headers.get('location')]).toEqual([303, `${BYE}?state=x`])
    })
  })

  describe('refused requests: an error page, never a redirect', () => {
    const refused = async (params: Record<string, string>, b = browser(target)) => {
      const reply = await b.request(`${ENDPOINT}?${new URLSearchParams(params)}`)
      expect(reply.status).toBe(400)
      expect(reply.headers.get('location')).toBeNull()
      return reply.text()
    }

    test('open redirect: an unregistered post_logout_redirect_uri', async () => {
      const { tokens, b } = await rp.codeFlow(config)
      for (const uri of [
        'https://evil.example/bye',
        `${BYE}/`,
        `${BYE}?x=1`,
        'https://RP.example.com/bye',
      ]) {
        expect(
          await refused({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: uri }, b),
        ).toContain('not registered')
      }
      expect(await signedIn(b)).toBe(true)
    })

    test("open redirect: another client's registered URI", async () => {
      const other = await rp.newClient({ postLogoutRedirectUris: ['https://other.example/bye'] })
      const { tokens } = await rp.codeFlow(config)
      await refused({
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: 'https://other.example/bye',
      })
      await refused({ client_id: other.clientId, post_logout_redirect_uri: BYE })
    })

    test('a post_logout_redirect_uri without id_token_hint or client_id', async () => {
      expect(await refused({ post_logout_redirect_uri: BYE })).toContain(
        'id_token_hint or client_id',
      )
    })

    test('a tampered hint, a client_id that is not its audience, an unknown client', async () => {
      const { tokens, b } = await rp.codeFlow(config)
      const [header, payload] = tokens.id_token!.split('.')
      await refused({ id_token_hint: `${header}.${payload}.AAAA` }, b)
      await refused({ id_token_hint: 'not-a-jwt' }, b)
      const other = await rp.newClient()
      await refused({ id_token_hint: tokens.id_token!, client_id: other.clientId }, b)
      await refused({ client_id: 'nope' }, b)
      expect(await signedIn(b)).toBe(true)
    })

    test('hostile input: JSON, repeated and oversized parameters are 400, never 5xx', async () => {
      await refused({ state: 'x'.repeat(3000) })
      await refused({ id_token_hint: 'x'.repeat(9000) })
      const repeated = await target.request(`${ENDPOINT}?state=a&state=b`)
      expect(repeated.status).toBe(400)
      const asJson = await target.request(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'x' }),
      })
      expect(asJson.status).toBe(400)
      const huge = await target.request(ENDPOINT, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `state=${'x'.repeat(20_000)}`,
      })
      expect(huge.status).toBe(400)
      const junk = await target.request(`${ENDPOINT}?id_token_hint=%E0%A4%A&client_id=%00`)
      expect(junk.status).toBeLessThan(500)
    })
  })
})
