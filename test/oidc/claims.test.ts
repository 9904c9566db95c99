/**
 * Which claims a client receives about an account (reference §1.2, §6.3, §6.4): per granted
 * scope, in userinfo and — unless the client wants `minimal` ID tokens — in the ID token.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import * as schema from '../../db/schema'
import { claimsFor, grantableScopes, parseScopes, subjectOf } from '../../src/oidc/claims'
import { createOidcClient, type OidcClientInput } from '../../src/oidc/clients'
import { createApplication } from '../../src/directory/applications'
import type { AccountRow, OidcClientRow } from '../../src/store/rows'
import { openTestDatabase, type TestDatabase } from './test-database'

const TENANT = 'tenant-claims'
const DIRECTORY = 'directory-claims'

let database: TestDatabase
let serial = 0

beforeAll(async () => {
  database = await openTestDatabase()
})
afterAll(async () => {
  await database.close()
})

async function newClient(input: OidcClientInput = {}): Promise<OidcClientRow> {
  const application = await createApplication(database.deps, TENANT, {
    name: `Claims app ${++serial}`,
  })
  const { row } = await createOidcClient(database.deps, application, {
    redirectUris: ['https://rp.example.com/callback'],
    ...input,
  })
  return row
}

async function newAccount(fields: Partial<AccountRow> = {}): Promise<AccountRow> {
  const n = ++serial
  const now = new Date()
  const [row] = await database.db
    .insert(schema.accounts)
    .values({
      id: `account-${n}`,
      tenantId: TENANT,
      directoryId: DIRECTORY,
      email: `grace${n}@example.com`,
      username: `grace${n}`,
      givenName: 'Grace',
      middleName: 'Brewster',
      surname: 'Hopper',
      emailVerificationStatus: 'VERIFIED',
      createdAt: now,
      modifiedAt: now,
      ...fields,
    })
    .returning()
  return row!
}

/** Group ids by name: names are unique per directory, so a group is created once. */
const groupIds = new Map<string, string>()

async function joinGroup(account: AccountRow, name: string, status = 'ENABLED'): Promise<void> {
  const now = new Date()
  let groupId = groupIds.get(name)
  if (!groupId) {
    groupId = `group-${++serial}`
    groupIds.set(name, groupId)
    await database.db.insert(schema.groups).values({
      id: groupId,
      tenantId: TENANT,
      directoryId: DIRECTORY,
      name,
      status,
      createdAt: now,
      modifiedAt: now,
    })
  }
  await database.db.insert(schema.groupMemberships).values({
    id: `membership-${++serial}`,
    tenantId: TENANT,
    accountId: account.id,
    groupId,
    createdAt: now,
    modifiedAt: now,
  })
}

const claims = (client: OidcClientRow, account: AccountRow, scopes: string[]) =>
  claimsFor(database.deps, { client, account, scopes })

describe('subjectOf', () => {
  test('is the username by default (Cloudron parity) and the account id when asked', async () => {
    const account = await newAccount()
    expect(subjectOf(await newClient(), account)).toBe(account.username)
    expect(subjectOf(await newClient({ subjectType: 'id' }), account)).toBe(account.id)
  })
})

describe('claims per scope', () => {
  let client: OidcClientRow
  beforeAll(async () => {
    client = await newClient()
  })

  test('openid alone gives only sub', async () => {
    const account = await newAccount()
    const { userinfo, idToken } = await claims(client, account, ['openid'])
    expect(userinfo).toEqual({ sub: account.username })
    expect(idToken).toEqual({ sub: account.username })
  })

  test('profile gives name, given_name, family_name, preferred_username and locale en-US', async () => {
    const account = await newAccount()
    const { userinfo } = await claims(client, account, ['openid', 'profile'])
    expect(userinfo).toEqual({
      sub: account.username,
      name: 'Grace Brewster Hopper',
      given_name: 'Grace',
      family_name: 'Hopper',
      preferred_username: account.username,
      locale: 'en-US',
    })
  })

  test('profile omits empty names instead of sending "" (OIDC Core §5.3.2)', async () => {
    const account = await newAccount({ givenName: '', middleName: '', surname: 'Hopper' })
    const { userinfo } = await claims(client, account, ['openid', 'profile'])
    expect(userinfo.name).toBe('Hopper')
    expect(userinfo.family_name).toBe('Hopper')
    expect(Object.keys(userinfo)).not.toContain('given_name')
  })

  test('email gives email and email_verified', async () => {
    const account = await newAccount()
    const { userinfo } = await claims(client, account, ['openid', 'email'])
    expect(userinfo).toEqual({ sub: account.username, email: account.email, email_verified: true })
  })

  test.each([['UNVERIFIED'], ['UNKNOWN']])(
    'email_verified is false when the status is %s',
    async (status) => {
      const account = await newAccount({ emailVerificationStatus: status })
      const { userinfo } = await claims(client, account, ['openid', 'email'])
      expect(userinfo.email_verified).toBe(false)
    },
  )

  test('groups gives the names of the enabled groups only, sorted', async () => {
    const account = await newAccount()
    await joinGroup(account, 'staff')
    await joinGroup(account, 'Admins')
    await joinGroup(account, 'former-team', 'DISABLED')
    await joinGroup(await newAccount(), 'someone-elses')
    const { userinfo } = await claims(client, account, ['openid', 'groups'])
    expect(userinfo.groups).toEqual(['Admins', 'staff'])
  })

  test('groups is an empty list for an account in no group', async () => {
    const { userinfo } = await claims(client, await newAccount(), ['openid', 'groups'])
    expect(userinfo.groups).toEqual([])
  })

  test('ungranted scopes give nothing: no profile, email or groups without their scope', async () => {
    const account = await newAccount()
    await joinGroup(account, 'staff')
    const { userinfo } = await claims(client, account, ['openid', 'offline_access'])
    expect(userinfo).toEqual({ sub: account.username })
  })
})

describe('custom claims', () => {
  test('map account custom data keys to claims, only when the value exists', async () => {
    const client = await newClient({
      customClaims: { department: 'dept', clearance: 'level', badge: 'badge', missing: 'nope' },
    })
    const account = await newAccount({
      customData: JSON.stringify({ dept: 'Navy', level: 3, badge: null, other: 'x' }),
    })
    const { userinfo, idToken } = await claims(client, account, ['openid'])
    expect(userinfo).toEqual({ sub: account.username, department: 'Navy', clearance: 3 })
    expect(idToken).toEqual(userinfo)
  })

  test('keep structured values as they are', async () => {
    const client = await newClient({ customClaims: { roles: 'roles' } })
    const account = await newAccount({ customData: JSON.stringify({ roles: ['a', 'b'] }) })
    const { userinfo } = await claims(client, account, ['openid'])
    expect(userinfo.roles).toEqual(['a', 'b'])
  })

  test('prototype pollution: a custom data key named like an Object member maps nothing', async () => {
    const client = await newClient({ customClaims: { proto: 'constructor' } })
    const account = await newAccount({ customData: '{}' })
    const { userinfo } = await claims(client, account, ['openid'])
    expect(userinfo).toEqual({ sub: account.username })
  })
})

describe('ID token claims mode', () => {
  test('scope (default): the ID token carries the claims of the granted scopes', async () => {
    const client = await newClient()
    const account = await newAccount()
    const { userinfo, idToken } = await claims(client, account, ['openid', 'profile', 'email'])
    expect(idToken).toEqual(userinfo)
    expect(idToken.email).toBe(account.email)
    expect(idToken.preferred_username).toBe(account.username)
  })

  test('minimal: the ID token carries only sub, userinfo everything', async () => {
    const client = await newClient({ idTokenClaims: 'minimal', customClaims: { dept: 'dept' } })
    const account = await newAccount({ customData: JSON.stringify({ dept: 'Navy' }) })
    const { userinfo, idToken } = await claims(client, account, ['openid', 'profile', 'email'])
    expect(idToken).toEqual({ sub: account.username })
    expect(userinfo).toMatchObject({ email: account.email, name: 'Grace Brewster Hopper' })
    expect(userinfo.dept).toBe('Navy')
  })

  test('the ID token claims are a copy: changing one object leaves the other alone', async () => {
    const { userinfo, idToken } = await claims(await newClient(), await newAccount(), ['openid'])
    idToken.extra = 1
    expect(userinfo.extra).toBeUndefined()
  })
})

describe('parseScopes', () => {
  test('splits on spaces, drops empty tokens and repeats, keeps the order', () => {
    expect(parseScopes('openid  email openid profile')).toEqual(['openid', 'email', 'profile'])
  })

  test('reads a missing or empty scope as no scopes', () => {
    expect(parseScopes(undefined)).toEqual([])
    expect(parseScopes(null)).toEqual([])
    expect(parseScopes('')).toEqual([])
  })

  test('is case-sensitive (RFC 6749 §3.3)', () => {
    expect(grantableScopes(parseScopes('OpenID openid'))).toEqual(['openid'])
  })
})

describe('grantableScopes', () => {
  test('keeps the supported scopes and drops the others', () => {
    expect(
      grantableScopes(['openid', 'payments', 'profile', 'email', 'groups', 'offline_access', 'x']),
    ).toEqual(['openid', 'profile', 'email', 'groups', 'offline_access'])
  })

  test('drops names that merely resemble a scope', () => {
    expect(grantableScopes(['openid ', 'e-mail', 'group', 'offline'])).toEqual([])
  })
})
