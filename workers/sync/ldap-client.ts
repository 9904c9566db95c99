/**
 * The external directory client on Bun, with ldapts (LDAP reference §5.4–5.5): paged searches
 * with the service bind, user login by binding as the entry's DN on a fresh connection. Values
 * are normalised to one string each; `objectGUID` is read as bytes and written as a UUID.
 * Every value put in a filter is escaped by ldapts' filter classes; every connection is unbound
 * in `finally`, so a failure never leaves a socket open.
 */
import {
  AndFilter,
  Client,
  EqualityFilter,
  InvalidCredentialsError,
  FilterParser,
  OrFilter,
} from 'ldapts'
import type {
  ExternalAuthOutcome,
  ExternalConnection,
  ExternalDirectoryClient,
  ExternalGroup,
  ExternalUser,
} from '../../src/directory/external/source'
import { ExternalDirectoryError } from '../../src/directory/external/source'
import type { ExternalSettings } from '../../src/directory/external/settings'

const PAGE_SIZE = 500
const CONNECT_TIMEOUT_MS = 5000
const OPERATION_TIMEOUT_MS = 30_000
/** Attributes read as bytes: AD's GUID is binary and comes out mangled as text. */
const BINARY = ['objectGUID', 'objectguid']

type Value = string | string[] | Buffer | Buffer[]

function newClient(settings: ExternalSettings): Client {
  const secure = settings.url.startsWith('ldaps:')
  return new Client({
    url: settings.url,
    connectTimeout: CONNECT_TIMEOUT_MS,
    timeout: OPERATION_TIMEOUT_MS,
    strictDN: false,
    // ldapts starts TLS whenever tlsOptions is present, even on ldap:// (reference §5.5).
    ...(secure
      ? { tlsOptions: { rejectUnauthorized: !settings.acceptSelfSignedCertificates } }
      : {}),
  })
}

/** Runs `work` on a client bound with the service account (or anonymous), then unbinds. */
async function withServiceBind<T>(
  connection: ExternalConnection,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = newClient(connection.settings)
  try {
    if (connection.settings.bindDn)
      await client.bind(connection.settings.bindDn, connection.bindPassword)
    return await work(client)
  } catch (error) {
    throw new ExternalDirectoryError(describe(error))
  } finally {
    await client.unbind().catch(() => {})
  }
}

function describe(error: unknown): string {
  if (error instanceof InvalidCredentialsError)
    return 'the service bind was refused (invalid credentials)'
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' || typeof code === 'number' ? `${message} (${code})` : message
}

/** The first value of an attribute, case-insensitively by name, as text. */
function first(entry: Record<string, Value>, name: string): string {
  const key = Object.keys(entry).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
  if (!key) return ''
  const value = entry[key]!
  const one = Array.isArray(value) ? value[0] : value
  if (one === undefined) return ''
  if (Buffer.isBuffer(one)) return BINARY.includes(key) ? guidText(one) : one.toString('utf8')
  return String(one)
}

function all(entry: Record<string, Value>, name: string): string[] {
  const key = Object.keys(entry).find((candidate) => candidate.toLowerCase() === name.toLowerCase())
  if (!key) return []
  const value = entry[key]!
  return (Array.isArray(value) ? value : [value]).map((item) =>
    Buffer.isBuffer(item) ? item.toString('utf8') : String(item),
  )
}

/** AD's objectGUID bytes as the UUID AD shows (its first three fields are little-endian). */
export function guidText(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString('hex')
  const hex = (indexes: number[]) =>
    indexes.map((i) => bytes[i]!.toString(16).padStart(2, '0')).join('')
  return [
    hex([3, 2, 1, 0]),
    hex([5, 4]),
    hex([7, 6]),
    hex([8, 9]),
    hex([10, 11, 12, 13, 14, 15]),
  ].join('-')
}

function userAttributes(settings: ExternalSettings): string[] {
  return [
    settings.usernameField,
    settings.mailField,
    settings.givenNameField,
    settings.surnameField,
    settings.displayNameField,
    settings.uuidField,
  ]
}

function toUser(
  settings: ExternalSettings,
  entry: Record<string, Value> & { dn: string },
): ExternalUser {
  return {
    dn: entry.dn,
    id: first(entry, settings.uuidField),
    username: first(entry, settings.usernameField),
    email: first(entry, settings.mailField),
    givenName: first(entry, settings.givenNameField),
    surname: first(entry, settings.surnameField),
    displayName: first(entry, settings.displayNameField),
  }
}

function searchOptions(settings: ExternalSettings, filter: string, attributes: string[]) {
  return {
    scope: 'sub' as const,
    filter,
    attributes,
    paged: { pageSize: PAGE_SIZE },
    explicitBufferAttributes: attributes.filter((name) => BINARY.includes(name)),
  }
}

/**
 * The ldapts-backed client.
 *
 * @example
 * const users = await ldapDirectoryClient().users({ settings, bindPassword })
 */
export function ldapDirectoryClient(): ExternalDirectoryClient {
  return {
    users: (connection) =>
      withServiceBind(connection, async (client) => {
        const { settings } = connection
        const { searchEntries } = await client.search(
          settings.baseDn,
          searchOptions(settings, settings.filter, userAttributes(settings)),
        )
        return searchEntries.map((entry) => toUser(settings, entry as never))
      }),
    groups: (connection) =>
      withServiceBind(connection, async (client) => {
        const { settings } = connection
        const attributes = [settings.groupnameField, settings.groupMemberField, settings.uuidField]
        const { searchEntries } = await client.search(
          settings.groupBaseDn,
          searchOptions(settings, settings.groupFilter, attributes),
        )
        return searchEntries.map((entry): ExternalGroup => ({
          dn: entry.dn,
          // A group without the stable id attribute (not every server has one on groups) is
          // keyed by its DN.
          id: first(entry as never, settings.uuidField) || entry.dn.toLowerCase(),
          name: first(entry as never, settings.groupnameField),
          memberDns: all(entry as never, settings.groupMemberField),
        }))
      }),
    authenticate: (connection, login, password) => authenticate(connection, login, password),
  }
}

async function authenticate(
  connection: ExternalConnection,
  login: string,
  password: string,
): Promise<ExternalAuthOutcome> {
  const { settings } = connection
  // An empty password is an unauthenticated bind, which many servers accept (RFC 4513 §5.1.2).
  if (password === '') return { kind: 'refused' }
  let user: ExternalUser | undefined
  try {
    const matches = await withServiceBind(connection, async (client) => {
      const byName = new EqualityFilter({ attribute: settings.usernameField, value: login })
      const byMail = new EqualityFilter({ attribute: settings.mailField, value: login })
      const who = login.includes('@') ? new OrFilter({ filters: [byName, byMail] }) : byName
      const filter = new AndFilter({ filters: [who, FilterParser.parseString(settings.filter)] })
      const { searchEntries } = await client.search(settings.baseDn, {
        scope: 'sub',
        filter,
        attributes: userAttributes(settings),
        sizeLimit: 2,
        explicitBufferAttributes: userAttributes(settings).filter((name) => BINARY.includes(name)),
      })
      return searchEntries
    })
    if (matches.length !== 1) return { kind: 'no_entry' }
    user = toUser(settings, matches[0] as never)
  } catch (error) {
    return { kind: 'unavailable', message: (error as Error).message }
  }
  const client = newClient(settings)
  try {
    await client.bind(user.dn, password)
    return { kind: 'accepted', user }
  } catch (error) {
    if (error instanceof InvalidCredentialsError) return { kind: 'refused' }
    return { kind: 'unavailable', message: describe(error) }
  } finally {
    await client.unbind().catch(() => {})
  }
}
