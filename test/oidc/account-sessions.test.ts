/**
 * A user's own SSO sessions on both targets (reference §1.6 item 2): the page and the JSON
 * routes under the issuer, authenticated by the browser's session cookie. Listing shows every
 * browser with its applications; ending one revokes its tokens; another account's session
 * cannot be touched; forms need their CSRF token; another site cannot end sessions.
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import * as client from 'openid-client'
import { describeTargets } from '../harness/targets'
import { browser, withUserAgent, type Browser } from './browser'
import { oidcFixture, PASSWORD, type RegisteredClient } from './provider-fixture'

const PAGE = '/openid/account/sessions'
const API = '/openid/profile/sessions'

describeTargets('own sessions', (target) => {
  const rp = oidcFixture(target, 'own-sessions')
  let wiki: RegisteredClient
  let wikiConfig: client.Configuration

  beforeAll(async () => {
    wiki = await rp.newClient()
    await rp.api('POST', wiki.application.href, { name: 'Wiki' })
    wikiConfig = await rp.configure(wiki)
  })

  const signIn = async (userAgent: string) => {
    const b = withUserAgent(browser(target), userAgent)
    const { tokens } = await rp.codeFlow(wikiConfig, { b })
    return { b, sid: tokens.claims()!.sid as string, tokens }
  }
  const listOf = async (b: Browser) => {
    const reply = await b.request(API)
    expect(reply.status).toBe(200)
    return ((await reply.json()) as { items: Array<Record<string, any>> }).items
  }
  const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!
  const postForm = (b: Browser, path: string, fields: Record<string, string>) =>
    b.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })

  describe('JSON', () => {
    test('lists every browser of the account with its applications, this one marked', async () => {
      const laptop = await signIn('Laptop browser')
      const phone = await signIn('Phone browser')
      const items = await listOf(phone.b)
      const mine = items.filter((item) => [laptop.sid, phone.sid].includes(item.id))
      expect(mine).toHaveLength(2)
      const current = mine.find((item) => item.current)!
      expect(current).toMatchObject({ id: phone.sid, userAgent: 'Phone browser', amr: ['pwd'] })
      expect(current.applications).toEqual([{ clientId: wiki.clientId, name: 'Wiki' }])
      expect(mine.find((item) => !item.current)!.id).toBe(laptop.sid)
      expect(Object.keys(current).sort()).toEqual(
        [
          'amr',
          'applications',
          'authTime',
          'createdAt',
          'current',
          'expiresAt',
          'id',
          'userAgent',
        ].sort(),
      )
    })

    test('ending another of my sessions revokes its tokens; mine goes on', async () => {
      const laptop = await signIn('Laptop browser')
      const phone = await signIn('Phone browser')
      const reply = await phone.b.request(`${API}/${laptop.sid}`, { method: 'DELETE' })
      expect(reply.status).toBe(204)
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(401)
      expect(await rp.userinfoStatus(phone.tokens.access_token)).toBe(200)
      const refreshed = rp.postForm(
        '/openid/token',
        { grant_type: 'refresh_token', refresh_token: laptop.tokens.refresh_token! },
        { authorization: rp.basic(wiki) },
      )
      expect((await refreshed).status).toBe(400)
      expect((await listOf(phone.b)).some((item) => item.id === laptop.sid)).toBe(false)
    })

    test('DELETE …/current signs this browser out and clears its cookie', async () => {
      const laptop = await signIn('Laptop browser')
      const reply = await laptop.b.request(`${API}/current`, { method: 'DELETE' })
      expect(reply.status).toBe(204)
      expect(laptop.b.cookies.has('edgepass_session')).toBe(false)
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(401)
      expect((await laptop.b.request(API)).status).toBe(401)
    })

    test('without a session: 401 login_required, and nothing to end', async () => {
      const stranger = browser(target)
      const listed = await stranger.request(API)
      expect(listed.status).toBe(401)
      expect(await listed.json()).toMatchObject({ error: 'login_required' })
      expect((await stranger.request(`${API}/current`, { method: 'DELETE' })).status).toBe(401)
    })

    test("session hijacking: another account's session id is as missing as an unknown one", async () => {
      const mine = await signIn('Laptop browser')
      const otherUser = 'ada'
      await rp.api('POST', `${rp.directory().href}/accounts`, {
        username: otherUser,
        email: 'ada@example.com',
        password: PASSWORD,
        givenName: 'Ada',
        surname: 'Lovelace',
      })
      const theirs = browser(target)
      const other = await rp.codeFlow(wikiConfig, { b: theirs, login: { username: otherUser } })
      const sid = other.tokens.claims()!.sid as string
      const reply = await mine.b.request(`${API}/${sid}`, { method: 'DELETE' })
      expect(reply.status).toBe(404)
      expect((await mine.b.request(`${API}/unknown-session`, { method: 'DELETE' })).status).toBe(
        404,
      )
      expect(await rp.userinfoStatus(other.tokens.access_token)).toBe(200)
    })

    test('cross-site request forgery: a DELETE from another origin or site is refused', async () => {
      const laptop = await signIn('Laptop browser')
      const attempts: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
      ]
      for (const headers of attempts) {
        const reply = await laptop.b.request(`${API}/current`, { method: 'DELETE', headers })
        expect(reply.status).toBe(403)
      }
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(200)
      // Discovery-style CORS never covers these routes.
      const preflight = await laptop.b.request(`${API}/current`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
      })
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    })
  })

  describe('page', () => {
    test('shows the sessions with their applications and a sign-out form for each', async () => {
      const laptop = await signIn('Laptop browser')
      await signIn('Phone <b>browser</b>')
      const reply = await laptop.b.request(PAGE)
      expect(reply.status).toBe(200)
      expect(reply.headers.get('cache-control')).toContain('no-store')
      const html = await reply.text()
      expect(html).toContain('<h1>Your sessions</h1>')
      expect(html).toContain('This browser')
      expect(html).toContain('Applications: Wiki')
      expect(html).toContain(`action="http://edgepass.test${PAGE}/${laptop.sid}/end"`)
      expect(html).toContain('Sign out everywhere')
      // A user agent is user input: escaped, never markup.
      expect(html).toContain('Phone &lt;b&gt;browser&lt;/b&gt;')
      expect(html).not.toContain('<b>browser</b>')
    })

    test('"Sign out" on another session ends it and comes back to the list', async () => {
      const laptop = await signIn('Laptop browser')
      const phone = await signIn('Phone browser')
      const csrf = csrfOf(await (await laptop.b.request(PAGE)).text())
      const reply = await postForm(laptop.b, `${PAGE}/${phone.sid}/end`, { csrf })
      expect(reply.status).toBe(303)
      expect(reply.headers.get('location')).toBe(`http://edgepass.test${PAGE}`)
      expect(await rp.userinfoStatus(phone.tokens.access_token)).toBe(401)
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(200)
    })

    test('"Sign out everywhere" ends every session of the account, this one too', async () => {
      const laptop = await signIn('Laptop browser')
      const phone = await signIn('Phone browser')
      const csrf = csrfOf(await (await laptop.b.request(PAGE)).text())
      const reply = await postForm(laptop.b, `${PAGE}/end-all`, { csrf })
      expect(reply.status).toBe(200)
      expect(await reply.text()).toContain('You are signed out')
      expect(laptop.b.cookies.has('edgepass_session')).toBe(false)
      expect(await rp.userinfoStatus(phone.tokens.access_token)).toBe(401)
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(401)
    })

    test('cross-site request forgery: a form post without the CSRF token is refused', async () => {
      const laptop = await signIn('Laptop browser')
      const phone = await signIn('Phone browser')
      await laptop.b.request(PAGE)
      const missing = await postForm(laptop.b, `${PAGE}/${phone.sid}/end`, {})
      expect(missing.status).toBe(403)
      const wrong = await postForm(laptop.b, `${PAGE}/end-all`, { csrf: 'x'.repeat(43) })
      expect(wrong.status).toBe(403)
      expect(await rp.userinfoStatus(phone.tokens.access_token)).toBe(200)
    })

    test('hostile input: JSON, oversized bodies and unknown ids answer 4xx pages', async () => {
      const laptop = await signIn('Laptop browser')
      const csrf = csrfOf(await (await laptop.b.request(PAGE)).text())
      const asJson = await laptop.b.request(`${PAGE}/end-all`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ csrf }),
      })
      expect(asJson.status).toBeGreaterThanOrEqual(400)
      expect(asJson.status).toBeLessThan(500)
      const unknown = await postForm(laptop.b, `${PAGE}/${'z'.repeat(500)}/end`, { csrf })
      expect(unknown.status).toBe(404)
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(200)
      // Past the 16 KiB form limit, yet small enough to be sent whole before the early 413
      // (a body refused half-read can cost workerd's test harness its next connection).
      const huge = await postForm(laptop.b, `${PAGE}/end-all`, { csrf, pad: 'x'.repeat(20_000) })
      expect(huge.status).toBe(413)
      expect(await rp.userinfoStatus(laptop.tokens.access_token)).toBe(200)
    })

    test('a browser without a session is told so, with nothing listed', async () => {
      const reply = await browser(target).request(PAGE)
      expect(reply.status).toBe(200)
      expect(await reply.text()).toContain('This browser is not signed in')
    })
  })
})
