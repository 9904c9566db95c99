/**
 * A small JSON client for the directory suites (tenants, directories, groups, policies): calls
 * `/v1` as one tenant's administrator and reads the answer once, so tests assert on
 * `{status, body, headers}` instead of juggling streams.
 */
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { TEST_BASE_URL, type Target } from '../harness/targets'

export const V1 = `${TEST_BASE_URL}/v1`

export type Json = Record<string, any>

export interface Reply {
  status: number
  headers: Headers
  body: Json
}

export interface AdminClient {
  admin: Admin
  /** The tenant's absolute href. */
  tenantHref: string
  get(path: string): Promise<Reply>
  /** POSTs `body` as JSON; a string is sent as is. */
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>
  delete(path: string): Promise<Reply>
  /** Any request, with the administrator's credentials added. */
  raw(path: string, init?: RequestInit): Promise<Response>
}

/** `/directories` or an absolute href → what `target.request` takes. */
function pathOf(path: string): string {
  return path.startsWith('http') ? path : `/v1${path}`
}

export async function read(response: Response): Promise<Reply> {
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? {} : (JSON.parse(text) as Json),
  }
}

/** Registers a tenant (a rate-limited call: keep to a few per suite) and returns its client. */
export async function adminClient(target: Target, tenantKey: string): Promise<AdminClient> {
  const admin = await bootstrapAdmin(target.request, tenantKey)
  const raw = (path: string, init: RequestInit = {}) =>
    target.request(pathOf(path), {
      ...init,
      headers: { authorization: admin.basic, ...(init.headers as Record<string, string>) },
    })
  const current = await raw('/tenants/current')
  return {
    admin,
    tenantHref: current.headers.get('location')!,
    raw,
    get: async (path) => read(await raw(path)),
    post: async (path, body, headers = {}) =>
      read(
        await raw(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body:
            body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        }),
      ),
    delete: async (path) => read(await raw(path, { method: 'DELETE' })),
  }
}

/** The id at the end of an href. */
export function idOf(href: string): string {
  return href.slice(href.lastIndexOf('/') + 1)
}

/** Rows of `table` (matching `where`) in the target's database; one definition, in `./api-client`. */
export { countRows } from './api-client'

let sequence = 0
/** A name no other test of the run uses. */
export function uniqueName(prefix: string): string {
  sequence += 1
  return `${prefix} ${sequence}`
}

/** A password the default policy accepts. */
export const GOOD_PASSWORD = 'Changeme-1234'

/** Creates a directory and fails loudly if that does not work. */
export async function createDirectory(client: AdminClient, body: Json = {}): Promise<Json> {
  const reply = await client.post('/directories', { name: uniqueName('Directory'), ...body })
  if (reply.status !== 201)
    throw new Error(`directory: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

export async function createGroup(
  client: AdminClient,
  directory: Json,
  body: Json = {},
): Promise<Json> {
  const reply = await client.post(directory.groups.href, { name: uniqueName('Group'), ...body })
  if (reply.status !== 201) throw new Error(`group: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

export async function createAccount(
  client: AdminClient,
  directory: Json,
  body: Json = {},
): Promise<Json> {
  const reply = await client.post(directory.accounts.href, {
    email: `${uniqueName('user').replace(' ', '-')}@example.com`,
    password: GOOD_PASSWORD,
    givenName: 'Test',
    surname: 'User',
    ...body,
  })
  if (reply.status !== 201)
    throw new Error(`account: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

export async function addMember(client: AdminClient, account: Json, group: Json): Promise<Json> {
  const reply = await client.post('/groupMemberships', {
    account: { href: account.href },
    group: { href: group.href },
  })
  if (reply.status !== 201)
    throw new Error(`membership: ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/**
 * Maps a store to an application or organization by writing the row itself, so these suites
 * depend on the directory routes only (the mapping routes are tested with applications).
 */
export async function seedMapping(
  target: Target,
  client: AdminClient,
  owner: Json,
  store: Json,
  listIndex: number,
  defaults: { account?: boolean; group?: boolean } = {},
): Promise<string> {
  const typeOf = (href: string) => href.split('/').at(-2)!
  const id = `seed${crypto.randomUUID().replaceAll('-', '').slice(0, 18)}`
  const now = new Date()
  await target.db.insert(schema.accountStoreMappings).values({
    id,
    tenantId: idOf(client.tenantHref),
    ownerType: typeOf(owner.href) === 'applications' ? 'application' : 'organization',
    ownerId: idOf(owner.href),
    storeType: (
      { directories: 'directory', groups: 'group', organizations: 'organization' } as const
    )[typeOf(store.href) as 'directories' | 'groups' | 'organizations'],
    storeId: idOf(store.href),
    listIndex,
    isDefaultAccountStore: defaults.account ?? false,
    isDefaultGroupStore: defaults.group ?? false,
    createdAt: now,
    modifiedAt: now,
  })
  return id
}

/** An owner's mappings as `{store id: listIndex}`. */
export async function listIndexes(target: Target, owner: Json): Promise<Record<string, number>> {
  const rows = await target.db
    .select()
    .from(schema.accountStoreMappings)
    .where(eq(schema.accountStoreMappings.ownerId, idOf(owner.href)))
    .all()
  return Object.fromEntries(rows.map((row) => [row.storeId, row.listIndex]))
}
