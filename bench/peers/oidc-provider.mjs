// node-oidc-provider 9 as the benchmark peer of bench/oidc.ts (reference oidc.md §9.2–§9.5):
// the same algorithms (RS256 ID tokens, opaque access tokens), a confidential client with the
// code, refresh token and client credentials grants, devInteractions for the login, and an
// unbounded in-memory adapter (Edgepass keeps everything in its database). Run on Node:
//   PORT=3000 node bench/peers/oidc-provider.mjs
import { generateKeyPair, exportJWK } from 'jose'
import Provider from 'oidc-provider'

const port = Number(process.env.PORT ?? 3000)
const issuer = `http://127.0.0.1:${port}`
const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'rs256' }

/**
 * An unbounded in-memory adapter: the built-in development adapter is an LRU of 1,000 entries,
 * which a benchmark's thousands of codes and tokens would evict (sessions first), turning the
 * peer's answers into errors. Expiry is checked on read.
 */
const stores = new Map()
class MapAdapter {
  constructor(model) {
    this.model = model
    if (!stores.has(model)) stores.set(model, new Map())
    this.store = stores.get(model)
  }
  key(id) {
    return id
  }
  async upsert(id, payload, expiresIn) {
    this.store.set(id, {
      payload,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
    })
    if (payload.grantId) {
      const grants =
        stores.get('GrantIndex') ?? stores.set('GrantIndex', new Map()).get('GrantIndex')
      const ids = grants.get(payload.grantId) ?? []
      ids.push([this.model, id])
      grants.set(payload.grantId, ids)
    }
    if (payload.uid) this.store.set(`uid:${payload.uid}`, { payload: id })
    if (payload.userCode) this.store.set(`userCode:${payload.userCode}`, { payload: id })
  }
  async find(id) {
    const entry = this.store.get(id)
    if (!entry || (entry.expiresAt && entry.expiresAt < Date.now())) return undefined
    return entry.payload
  }
  async findByUid(uid) {
    const id = this.store.get(`uid:${uid}`)?.payload
    return id ? this.find(id) : undefined
  }
  async findByUserCode(userCode) {
    const id = this.store.get(`userCode:${userCode}`)?.payload
    return id ? this.find(id) : undefined
  }
  async consume(id) {
    const entry = this.store.get(id)
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000)
  }
  async destroy(id) {
    this.store.delete(id)
  }
  async revokeByGrantId(grantId) {
    const grants = stores.get('GrantIndex')
    for (const [model, id] of grants?.get(grantId) ?? []) stores.get(model)?.delete(id)
    grants?.delete(grantId)
  }
}

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  jwks: { keys: [jwk] },
  clients: [
    {
      client_id: 'rp',
      client_secret: 'rp-secret-rp-secret-rp-secret-rp-secret',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirect_uris: ['https://rp.example.com/callback'],
      response_types: ['code'],
    },
  ],
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({
      sub,
      name: 'Bench User',
      preferred_username: sub,
      email: `${sub}@example.com`,
      email_verified: false,
    }),
  }),
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read'],
  features: {
    devInteractions: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
  },
  pkce: { required: () => false },
  // Refresh tokens are issued with offline_access and, as Edgepass does, rotated on every use.
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    ClientCredentials: 600,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
    Interaction: 3600,
  },
  cookies: { keys: ['bench-cookie-key-bench-cookie-key'] },
})
provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`))
