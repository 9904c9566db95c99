import { eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { deleteAccount, updateAccount, type CreateOptions } from '../../directory/accounts'
import {
  createApiKey,
  deleteApiKey,
  openApiKeySecret,
  updateApiKey,
} from '../../directory/api-keys'
import { EdgepassError } from '../../errors'
import { encryptApiKeySecret, parseSecretEncryption } from '../../security/api-key-encryption'
import type { ApiKeyRow, TenantRow } from '../../store/rows'
import { readJsonObject, type JsonObject } from '../body'
import type { Scope } from '../context'
import { picklist, readFields, STATUS, text } from '../fields'
import { renderRequested, type CollectionJson } from '../views/core'
import { accountView, apiKeyView } from '../views/directory'
import { listLink, serveCollection } from './directories'
import {
  created,
  mustFind,
  queryFlag,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

export const accountFields = {
  email: text(3, 254),
  username: text(1, 255),
  password: text(1, 1024),
  givenName: text(0, 255),
  middleName: text(0, 255),
  surname: text(0, 255),
  status: picklist(['ENABLED', 'DISABLED', 'UNVERIFIED'] as const),
  // Checked before record(), which accepts an array and turns it into {"0": …, "1": …}.
  customData: v.pipe(
    v.unknown(),
    v.check((value) => !Array.isArray(value), 'customData must be a JSON object'),
    v.record(v.string(), v.unknown()),
  ),
}
const apiKeyFields = { status: picklist(STATUS), name: text(0, 255), description: text(0, 1000) }

/** `?passwordFormat=mcf` and `?registrationWorkflowEnabled=false` (stormpath-api reference §9). */
export function accountCreateOptions(query: URLSearchParams): CreateOptions {
  const format = query.get('passwordFormat')
  if (format !== null && format !== 'mcf') {
    throw new EdgepassError('query_invalid_value', 'passwordFormat must be mcf.', {
      field: 'passwordFormat',
    })
  }
  return {
    passwordIsHash: format === 'mcf',
    registrationWorkflow: queryFlag(query, 'registrationWorkflowEnabled') ?? true,
  }
}

export function accountRoutes(app: RestApp, r: RouteDeps): void {
  const { accounts, apiKeys, tenants } = schema
  const loadAccount = (c: RestContext) =>
    mustFind(scope(c, r), accounts, c.req.param('id')!, 'account')
  const loadTenant = async (s: Scope) =>
    (await s.deps.db.select().from(tenants).where(eq(tenants.id, s.tenantId)).get()) as TenantRow

  resource(app, '/accounts/current', {
    get: (c) => c.redirect(r.hrefs.of('accounts', c.get('caller').accountId), 302),
  })
  resource(app, '/accounts/:id', {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), accountView, await loadAccount(c), queryOf(c))),
    post: async (c) => {
      const s = scope(c, r)
      const account = await loadAccount(c)
      const row = await updateAccount(
        r.deps,
        await loadTenant(s),
        account,
        readFields(await readJsonObject(c), accountFields),
      )
      return c.json(await renderRequested(s, accountView, row, queryOf(c)))
    },
    delete: async (c) => {
      const s = scope(c, r)
      await deleteAccount(r.deps, await loadTenant(s), await loadAccount(c))
      return c.body(null, 204)
    },
  })
  for (const name of ['groups', 'groupMemberships', 'applications'] as const) {
    serveCollection(app, r, `/accounts/:id/${name}`, loadAccount, accountView.links[name]!)
  }
  resource(app, '/accounts/:id/apiKeys', {
    get: async (c) =>
      c.json(
        await withSecrets(
          c,
          r,
          await listLink(c, r, accountView.links.apiKeys!, await loadAccount(c)),
        ),
      ),
    post: async (c) => {
      const account = await loadAccount(c)
      const input = readFields(await readJsonObject(c), apiKeyFields)
      // Before the key exists: a refused encryption query must not leave an orphan key behind.
      encryptionFor(scope(c, r), queryOf(c))
      const { row } = await createApiKey(r.deps, account, input)
      return created(c, await apiKeyJson(c, r, row))
    },
  })

  const loadKey = (c: RestContext) => mustFind(scope(c, r), apiKeys, c.req.param('id')!, 'API key')
  resource(app, '/apiKeys/:id', {
    get: async (c) => c.json(await apiKeyJson(c, r, await loadKey(c))),
    post: async (c) => {
      const key = await loadKey(c)
      const row = await updateApiKey(r.deps, key, readFields(await readJsonObject(c), apiKeyFields))
      return c.json(await apiKeyJson(c, r, row))
    },
    delete: async (c) => {
      await deleteApiKey(r.deps, await loadKey(c))
      return c.body(null, 204)
    },
  })
}

/**
 * An API key with its secret: in clear, or — with `encryptSecret=true`, as the Node SDK always
 * asks — encrypted with the calling key's secret (stormpath-api reference §10.7).
 */
export async function apiKeyJson(
  c: RestContext,
  r: RouteDeps,
  row: ApiKeyRow,
): Promise<JsonObject> {
  const s = scope(c, r)
  const json = await renderRequested(s, apiKeyView, row, queryOf(c))
  json.secret = await presentSecret(c, s, await openApiKeySecret(r.deps, row))
  return json
}

/** Adds each key's secret to a collection of API keys. */
export async function withSecrets(
  c: RestContext,
  r: RouteDeps,
  collection: CollectionJson,
): Promise<CollectionJson> {
  const s = scope(c, r)
  const items = await Promise.all(
    collection.items.map(async (item) => {
      const row = await mustFind(s, schema.apiKeys, String(item.id), 'API key')
      return { ...item, secret: await presentSecret(c, s, await openApiKeySecret(r.deps, row)) }
    }),
  )
  return { ...collection, items }
}

async function presentSecret(c: RestContext, s: Scope, secret: string): Promise<string> {
  const encryption = encryptionFor(s, queryOf(c))
  return encryption ? encryptApiKeySecret(secret, encryption.callerSecret, encryption) : secret
}

/**
 * The `encryptSecret` parameters and the calling key's secret they derive from, or undefined
 * when the secret goes out in clear; 400/2103 when they are invalid or the caller has no key.
 */
function encryptionFor(s: Scope, query: URLSearchParams) {
  const encryption = parseSecretEncryption(query)
  if (!encryption) return undefined
  if (!s.caller.apiKey) {
    throw new EdgepassError(
      'query_invalid_value',
      'encryptSecret needs a request signed with an API key.',
      {
        field: 'encryptSecret',
        developerMessage:
          'The secret is encrypted with the calling API key; session callers have none.',
      },
    )
  }
  return { ...encryption, callerSecret: s.caller.apiKey.secret }
}
