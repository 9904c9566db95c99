/**
 * `sub` never changes for a relying party (OIDC Core §2; reference §1.2 rule 1), on both
 * targets: with the default subject type (the username, as Cloudron), an account that holds a
 * grant keeps its username until an administrator revokes its grants; clients keyed by account
 * id do not pin it.
 */
import { beforeAll, expect, test } from 'bun:test'
import * as client from 'openid-client'
import { describeTargets } from '../harness/targets'
import { browser } from './browser'
import { oidcFixture, type RegisteredClient } from './provider-fixture'

describeTargets('stable subjects', (target) => {
  const rp = oidcFixture(target, 'subjects')
  let byUsername: RegisteredClient
  let byId: RegisteredClient
  let usernameConfig: client.Configuration
  let idConfig: client.Configuration

  beforeAll(async () => {
    byUsername = await rp.newClient({ trusted: true })
    byId = await rp.newClient({ trusted: true, subjectType: 'id' })
    usernameConfig = await rp.configure(byUsername)
    idConfig = await rp.configure(byId)
  })

  const signIn = async (config: client.Configuration, username: string) => {
    const b = browser(target)
    const verifier = client.randomPKCECodeVerifier()
    const { answer } = await rp.passwordStep(b, config, username, verifier)
    return rp.claimsAfter(b, config, answer.redirectTo, verifier)
  }
  const rename = (href: string, username: string) =>
    rp.api('POST', new URL(href).pathname, { username })

  test('an account signed in to a username-subject client cannot be renamed until its grants are revoked', async () => {
    const user = await rp.newUser('subject')
    expect((await signIn(usernameConfig, user.username)).sub).toBe(user.username)
    const refused = await rename(user.href, `${user.username}-renamed`)
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ code: 2002 })
    expect(refused.body.message).toContain('subject')
    expect((await rp.api('GET', new URL(user.href).pathname)).body.username).toBe(user.username)

    const revoked = await rp.api('DELETE', `${new URL(user.href).pathname}/oidcGrants`)
    expect(revoked.status).toBe(204)
    const renamed = await rename(user.href, `${user.username}-renamed`)
    expect(renamed.status).toBe(200)
    expect((await signIn(usernameConfig, `${user.username}-renamed`)).sub).toBe(
      `${user.username}-renamed`,
    )
  })

  test('revoking the grants ends the tokens issued under them', async () => {
    const user = await rp.newUser('subject')
    const b = browser(target)
    const { tokens } = await rp.codeFlow(usernameConfig, { b, login: { username: user.username } })
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(200)
    await rp.api('DELETE', `${new URL(user.href).pathname}/oidcGrants`)
    expect(await rp.userinfoStatus(tokens.access_token)).toBe(401)
  })

  test('clients keyed by account id do not pin the username', async () => {
    const user = await rp.newUser('subject')
    const claims = await signIn(idConfig, user.username)
    expect(claims.sub).toBe(user.id)
    const renamed = await rename(user.href, `${user.username}-free`)
    expect(renamed.status).toBe(200)
    expect((await signIn(idConfig, `${user.username}-free`)).sub).toBe(user.id)
  })

  test("tenant isolation: revoking grants of another tenant's account is 404", async () => {
    const reply = await rp.api('DELETE', '/v1/accounts/not-here/oidcGrants')
    expect(reply.status).toBe(404)
  })
})
