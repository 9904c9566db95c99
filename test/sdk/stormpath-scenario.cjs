// The official Stormpath Node SDK (stormpath@0.20.1) against an Edgepass server, run by Node.
// Prints one JSON line per step; exits non-zero on the first error. Inputs come from the
// environment: EDGEPASS_BASE_URL, EDGEPASS_KEY_ID, EDGEPASS_KEY_SECRET.
'use strict'
const stormpath = require('stormpath')
const { promisify } = require('node:util')

const baseUrl = `${process.env.EDGEPASS_BASE_URL}/v1`
const client = new stormpath.Client({
  apiKey: { id: process.env.EDGEPASS_KEY_ID, secret: process.env.EDGEPASS_KEY_SECRET },
  baseUrl,
  authenticationScheme: 'BASIC',
  client: { baseUrl },
  cacheOptions: { store: 'memory', ttl: 0, tti: 0 },
  skipRemoteConfig: true,
})
const step = (name, value) => console.log(JSON.stringify({ step: name, ...value }))
const call = (target, method, ...args) => promisify(target[method]).call(target, ...args)

async function main() {
  await new Promise((resolve, reject) => {
    client.on('ready', resolve)
    client.on('error', reject)
  })
  const suffix = Date.now().toString(36)
  const tenant = await call(client, 'getCurrentTenant')
  step('tenant', { href: tenant.href, key: tenant.key })

  const directory = await call(tenant, 'createDirectory', { name: `SDK Directory ${suffix}` })
  const application = await call(tenant, 'createApplication', { name: `SDK App ${suffix}` })
  step('created', { directory: directory.href, application: application.href })

  const mapping = await call(application, 'createAccountStoreMapping', {
    accountStore: directory,
    isDefaultAccountStore: true,
    isDefaultGroupStore: true,
  })
  step('mapped', { href: mapping.href, listIndex: mapping.listIndex })

  const group = await call(directory, 'createGroup', { name: 'Readers' })
  step('group', { href: group.href, name: group.name })

  const email = `jane.${suffix}@example.com`
  const account = await call(
    application,
    'createAccount',
    { givenName: 'Jane', surname: 'Doe', email, password: 'Sup3r-secret-pw' },
    { registrationWorkflowEnabled: false },
  )
  step('account', { href: account.href, status: account.status, fullName: account.fullName })

  const result = await call(application, 'authenticateAccount', {
    username: email,
    password: 'Sup3r-secret-pw',
  })
  const authenticated = await call(result, 'getAccount')
  step('authenticated', { href: authenticated.href, email: authenticated.email })

  const before = await call(account, 'getGroups')
  const membership = await call(account, 'addToGroup', group)
  const after = await call(account, 'getGroups')
  step('groups', {
    before: before.items.length,
    membership: membership.href,
    after: after.items.map((g) => g.name),
  })

  const customData = await call(account, 'getCustomData')
  customData.favoriteColor = 'teal'
  customData.level = 7
  await call(customData, 'save')
  const saved = await call(account, 'getCustomData')
  step('customData.saved', { favoriteColor: saved.favoriteColor, level: saved.level })
  saved.remove('favoriteColor')
  await call(saved, 'save')
  const removed = await call(client, 'getResource', `${account.href}/customData`, { nocache: true })
  step('customData.removed', { favoriteColor: removed.favoriteColor ?? null, level: removed.level })

  const apiKey = await call(account, 'createApiKey')
  step('apiKey', { id: apiKey.id, secretLength: apiKey.secret.length, status: apiKey.status })
  const keys = await call(account, 'getApiKeys')
  const fetched = await call(application, 'getApiKey', apiKey.id)
  step('apiKey.read', {
    listed: keys.items.map((k) => k.id),
    secretMatches: fetched.secret === apiKey.secret,
  })

  const found = await call(application, 'getAccounts', { email })
  step('search', { size: found.items.length, href: found.items[0] && found.items[0].href })

  await call(account, 'delete')
  const afterDelete = await call(application, 'getAccounts', { email })
  step('deleted', { size: afterDelete.items.length })

  await workflows(tenant, directory, application, suffix)
  await oauth(application, suffix)
  await factors(application, suffix)
}

/** A google-authenticator factor created, challenged and verified as the SDK's users do. */
async function factors(application, suffix) {
  const { TOTP, Secret } = require('otpauth')
  const account = await call(
    application,
    'createAccount',
    {
      givenName: 'Mia',
      surname: 'Factor',
      email: `mia.${suffix}@example.com`,
      password: 'Sup3r-secret-pw',
    },
    { registrationWorkflowEnabled: false },
  )
  const factor = await call(account, 'createFactor', {
    type: 'google-authenticator',
    accountName: 'mia',
    issuer: 'SDK',
  })
  step('factor.created', {
    type: factor.type,
    verificationStatus: factor.verificationStatus,
    hasSecret: typeof factor.secret === 'string' && factor.secret.length > 0,
    keyUri: factor.keyUri,
    hasQrImage: typeof factor.base64QRImage === 'string' && factor.base64QRImage.length > 100,
  })
  const challenge = await call(factor, 'createChallenge')
  step('factor.challenge', { status: challenge.status })
  const code = new TOTP({ secret: Secret.fromBase32(factor.secret) }).generate()
  const verified = await call(challenge, 'verifyCode', code)
  step('factor.verified', { status: verified.status })
  const listed = await call(account, 'getFactors')
  const read = await call(client, 'getResource', factor.href, { nocache: true })
  step('factor.read', {
    listed: listed.items.map((item) => item.href),
    verificationStatus: read.verificationStatus,
    secret: read.secret,
  })
}

/** The token of the newest mail of `workflow` to `to`, read from the admin outbox API. */
async function mailedToken(tenant, workflow, to) {
  const outbox = await call(client, 'getResource', `${tenant.href}/outbox`, {
    workflow,
    to,
    nocache: true,
  })
  const mail = outbox.items[0]
  return /sptoken=([A-Za-z0-9_-]+)/.exec(mail.textBody)[1]
}

/** Email verification and password reset through the SDK's own methods. */
async function workflows(tenant, directory, application, suffix) {
  const policy = await call(directory, 'getAccountCreationPolicy')
  policy.verificationEmailStatus = 'ENABLED'
  await call(policy, 'save')
  const email = `june.${suffix}@example.com`
  const account = await call(application, 'createAccount', {
    givenName: 'June',
    surname: 'Doe',
    email,
    password: 'Sup3r-secret-pw',
  })
  step('verification.created', { status: account.status })

  const resent = await call(application, 'resendVerificationEmail', { login: email })
  step('verification.resent', { accepted: resent && resent.accepted })

  const current = await call(client, 'getCurrentTenant')
  const verified = await call(
    current,
    'verifyAccountEmail',
    await mailedToken(tenant, 'verification', email),
  )
  step('verification.verified', { href: verified.href, status: verified.status })

  const requested = await call(application, 'sendPasswordResetEmail', email)
  step('reset.requested', { email: requested.email })
  const token = await mailedToken(tenant, 'reset', email)
  const valid = await call(application, 'verifyPasswordResetToken', token)
  step('reset.verified', { email: valid.email, account: valid.account && valid.account.href })
  const reset = await call(application, 'resetPassword', token, 'N3w-secret-pw-2')
  step('reset.done', { account: reset.account && reset.account.href })
  const result = await call(application, 'authenticateAccount', {
    username: email,
    password: 'N3w-secret-pw-2',
  })
  const authenticated = await call(result, 'getAccount')
  step('reset.login', { href: authenticated.href })
  let oldPassword = 'accepted'
  try {
    await call(application, 'authenticateAccount', { username: email, password: 'Sup3r-secret-pw' })
  } catch (error) {
    oldPassword = String(error.code)
  }
  step('reset.oldPassword', { result: oldPassword, href: account.href })
}

/** The OAuth token endpoint through the SDK's authenticators, and the tokens' verification. */
async function oauth(application, suffix) {
  const email = `otto.${suffix}@example.com`
  const password = 'Sup3r-secret-pw'
  const account = await call(
    application,
    'createAccount',
    { givenName: 'Otto', surname: 'Doe', email, password },
    { registrationWorkflowEnabled: false },
  )
  const policy = await call(application, 'getOAuthPolicy')
  step('oauth.policy', {
    accessTokenTtl: policy.accessTokenTtl,
    refreshTokenTtl: policy.refreshTokenTtl,
  })

  // The result's constructor verifies both tokens with nJwt and the client's API key secret.
  const passwordGrant = new stormpath.OAuthPasswordGrantRequestAuthenticator(application)
  const granted = await call(passwordGrant, 'authenticate', { username: email, password })
  const response = granted.accessTokenResponse
  const owner = await call(granted, 'getAccount')
  step('oauth.password', {
    account: account.href,
    owner: owner.href,
    sub: granted.accessToken.body.sub,
    kid: granted.accessToken.header.kid,
    alg: granted.accessToken.header.alg,
    refreshSub: granted.refreshToken.body.sub,
    tokenType: response.token_type,
    expiresIn: response.expires_in,
  })

  let wrongPassword = 'accepted'
  try {
    await call(passwordGrant, 'authenticate', { username: email, password: 'Wrong-pw-123' })
  } catch (error) {
    wrongPassword = { status: error.status, code: error.code, error: error.error }
  }
  step('oauth.wrongPassword', wrongPassword)

  const local = await call(
    new stormpath.JwtAuthenticator(application).withLocalValidation(),
    'authenticate',
    response.access_token,
  )
  step('oauth.local', { account: local.account.href })

  // Remote validation: GET …/authTokens/{jwt}, a 302 the SDK follows to /accessTokens/{jti}.
  const remote = await call(
    new stormpath.JwtAuthenticator(application),
    'authenticate',
    response.access_token,
  )
  step('oauth.remote', {
    account: remote.account.href,
    sameJwt: remote.jwt === response.access_token,
  })

  // The non-deprecated verifier: kid → /apiKeys/{kid} → "Stormpath Administrators" → /accessTokens/{jti}.
  const verified = await call(
    new stormpath.StormpathAccessTokenAuthenticator(client),
    'authenticate',
    response.access_token,
  )
  step('oauth.stormpathAccessToken', {
    account: verified.account.href,
    sub: verified.expandedJwt.claims.sub,
  })

  const refreshed = await call(
    new stormpath.OAuthRefreshTokenGrantRequestAuthenticator(application),
    'authenticate',
    { refresh_token: response.refresh_token },
  )
  step('oauth.refresh', {
    sub: refreshed.accessToken.body.sub,
    newAccessToken: refreshed.accessTokenResponse.access_token !== response.access_token,
    sameRefreshToken: refreshed.accessTokenResponse.refresh_token === response.refresh_token,
  })

  const apiKey = await call(account, 'createApiKey')
  const clientGrant = await call(
    new stormpath.OAuthClientCredentialsAuthenticator(application),
    'authenticate',
    { apiKey: { id: apiKey.id, secret: apiKey.secret } },
  )
  const accessToken = await call(clientGrant, 'getAccessToken')
  step('oauth.clientCredentials', {
    sub: clientGrant.accessToken.body.sub,
    refreshToken: clientGrant.accessTokenResponse.refresh_token || null,
    resourceJwtMatches: accessToken.jwt === clientGrant.accessTokenResponse.access_token,
  })

  await call(accessToken, 'delete')
  let revoked = 'accepted'
  try {
    await call(
      new stormpath.JwtAuthenticator(application),
      'authenticate',
      clientGrant.accessTokenResponse.access_token,
    )
  } catch (error) {
    revoked = { status: error.status }
  }
  step('oauth.revoked', revoked)
}

main().then(
  () => process.exit(0),
  (error) => {
    step('error', {
      message: String(error && (error.userMessage || error.message)),
      status: error && error.status,
      code: error && error.code,
      stack: String(error && error.stack)
        .split('\n')
        .slice(0, 4)
        .join(' | '),
    })
    process.exit(1)
  },
)
