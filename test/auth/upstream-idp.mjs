// node-oidc-provider 9 as the external OpenID Connect server of the auth framework's tests, run
// on Node on 127.0.0.1 (issue "Authentication framework", acceptance): one confidential client
// whose redirect URIs come from REDIRECT_URIS, users from USERS (JSON: login → claims), and an
// interaction that signs in whoever `POST /test/next-login {login}` named, then consents, so the
// suites drive the real code flow without a login form. Prints "listening <port>" when ready.
import { createServer } from 'node:http'
import Provider from 'oidc-provider'

const users = JSON.parse(process.env.USERS ?? '{}')
let nextLogin = Object.keys(users)[0]

const server = createServer()
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address()
const issuer = `http://127.0.0.1:${port}`

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'sample-app',
      client_secret: 'sample-app-secret-0123456789',
      redirect_uris: JSON.parse(process.env.REDIRECT_URIS ?? '[]'),
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  conformIdTokenClaims: false, // scope claims in the ID token too
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: (_ctx, id) =>
    users[id] && { accountId: id, claims: async () => ({ sub: id, ...users[id] }) },
  cookies: { keys: ['upstream-idp-test-cookie-key'] },
})
provider.proxy = false

const callback = provider.callback()
server.on('request', async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/test/next-login') {
      let body = ''
      for await (const chunk of req) body += chunk
      nextLogin = JSON.parse(body).login
      res.writeHead(204).end()
      return
    }
    const interaction = /^\/interaction\/([\w-]+)$/.exec(req.url ?? '')
    if (interaction) {
      const details = await provider.interactionDetails(req, res)
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: nextLogin } },
          { mergeWithLastSubmission: false },
        )
        return
      }
      const grant = new provider.Grant({
        accountId: details.session.accountId,
        clientId: details.params.client_id,
      })
      grant.addOIDCScope(String(details.params.scope))
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      )
      return
    }
    callback(req, res)
  } catch (error) {
    res.writeHead(500).end(String(error))
  }
})
console.log(`listening ${port}`)
