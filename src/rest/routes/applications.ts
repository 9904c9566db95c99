import { and, eq } from 'drizzle-orm'
import * as v from 'valibot'
import { deliverInBackground } from '../../mail/delivery'
import * as schema from '../../../db/schema'
import { createAccount } from '../../directory/accounts'
import {
  createApplication,
  createOrganization,
  deleteApplication,
  deleteOrganization,
  updateApplication,
  updateOrganization,
} from '../../directory/applications'
import { addMembership, createGroup } from '../../directory/groups'
import { attemptLogin, loginError, normaliseLogin, type StoreSelector } from '../../directory/login'
import {
  createMapping,
  deleteMapping,
  updateMapping,
  type MappingOwner,
} from '../../directory/mappings'
import { EdgepassError, type ErrorCode } from '../../errors'
import { enforceRateLimits, LOGIN_PER_ACCOUNT } from '../../security/rate-limit'
import type { ApplicationRow, DirectoryRow, MappingRow, TenantRow } from '../../store/rows'
import { readJsonObject, type JsonObject } from '../body'
import type { Scope } from '../context'
import { picklist, readFields, STATUS, text } from '../fields'
import { readLink } from '../hrefs'
import { applicationView, mappingView, organizationView } from '../views/applications'
import { render, renderRequested } from '../views/core'
import { accountView, groupView, tenantView } from '../views/directory'
import { accountCreateOptions, accountFields, withSecrets } from './accounts'
import { groupFields, listLink, mustFindReference, serveCollection } from './directories'
import {
  created,
  mustFind,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

/** Names are trimmed before their length is checked, so a blank name is refused (2007). */
const name = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(255))

const applicationFields = {
  name,
  description: text(0, 4000),
  status: picklist(STATUS),
  authorizedCallbackUris: v.pipe(v.array(text(1, 2000)), v.maxLength(100)),
}
const organizationFields = {
  name,
  nameKey: text(1, 63),
  description: text(0, 1000),
  status: picklist(STATUS),
}
const mappingFields = {
  listIndex: v.pipe(v.number(), v.integer()),
  isDefaultAccountStore: v.boolean(),
  isDefaultGroupStore: v.boolean(),
}
const loginFields = { type: v.literal('basic'), value: text(1, 4096) }

type OwnerKind = 'application' | 'organization'
const OWNERS = {
  application: {
    table: schema.applications,
    plural: 'applications',
    mappings: 'accountStoreMappings',
    view: applicationView,
    fields: applicationFields,
  },
  organization: {
    table: schema.organizations,
    plural: 'organizations',
    mappings: 'organizationAccountStoreMappings',
    view: organizationView,
    fields: organizationFields,
  },
} as const

export function applicationRoutes(app: RestApp, r: RouteDeps): void {
  for (const kind of ['application', 'organization'] as const) ownerRoutes(app, r, kind)
  const loadApplication = (c: RestContext) =>
    mustFind(scope(c, r), schema.applications, c.req.param('id')!, 'application')
  // The SDK's application.getApiKey(id) reads this collection with ?id= and secrets.
  resource(app, '/applications/:id/apiKeys', {
    get: async (c) =>
      c.json(
        await withSecrets(
          c,
          r,
          await listLink(c, r, applicationView.links.apiKeys!, await loadApplication(c)),
        ),
      ),
  })
  resource(app, '/applications/:id/loginAttempts', {
    post: async (c) => c.json(await loginAttempt(c, r, await loadApplication(c))),
  })
}

/** The routes applications and organizations share: CRUD, accounts, groups, store mappings. */
function ownerRoutes(app: RestApp, r: RouteDeps, kind: OwnerKind): void {
  const owner = OWNERS[kind]
  const load = (c: RestContext) => mustFind(scope(c, r), owner.table, c.req.param('id')!, kind)

  resource(app, `/${owner.plural}`, {
    get: async (c) =>
      c.json(
        await listLink(c, r, tenantView.links[owner.plural]!, {
          id: c.get('caller').tenantId,
        } as TenantRow),
      ),
    post: async (c) => {
      const s = scope(c, r)
      const body = await readJsonObject(c)
      const row =
        kind === 'application'
          ? await createApplication(
              r.deps,
              s.tenantId,
              required(readFields(body, applicationFields, ['name']), 'name'),
              createDirectoryOption(queryOf(c)),
            )
          : await createOrganization(
              r.deps,
              s.tenantId,
              required(
                readFields(body, organizationFields, ['name', 'nameKey']),
                'name',
                'nameKey',
              ),
            )
      return created(c, await renderRequested(s, owner.view as never, row, queryOf(c)))
    },
  })
  resource(app, `/${owner.plural}/:id`, {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), owner.view as never, await load(c), queryOf(c))),
    post: async (c) => {
      const body = await readJsonObject(c)
      const row =
        kind === 'application'
          ? await updateApplication(
              r.deps,
              (await load(c)) as never,
              readFields(body, applicationFields),
            )
          : await updateOrganization(
              r.deps,
              (await load(c)) as never,
              readFields(body, organizationFields),
            )
      return c.json(await renderRequested(scope(c, r), owner.view as never, row, queryOf(c)))
    },
    delete: async (c) => {
      const row = await load(c)
      await (kind === 'application'
        ? deleteApplication(r.deps, row as never)
        : deleteOrganization(r.deps, row as never))
      return c.body(null, 204)
    },
  })
  serveCollection(
    app,
    r,
    `/${owner.plural}/:id/accountStoreMappings`,
    load,
    owner.view.links.accountStoreMappings!,
  )
  serveCollection(app, r, `/${owner.plural}/:id/accounts`, load, owner.view.links.accounts!, {
    post: async (c) => {
      const s = scope(c, r)
      const row = await load(c)
      const input = required(
        readFields(await readJsonObject(c), accountFields, ['email', 'password']),
        'email',
        'password',
      )
      const store = await defaultStore(s, row.id, 'account', kind)
      const account = await createAccount(r.deps, store.directory, input, {
        ...accountCreateOptions(queryOf(c)),
        application: kind === 'application' ? (row as ApplicationRow) : null,
      })
      if (store.group) await addMembership(r.deps, account, store.group)
      deliverInBackground(c, r.deps)
      return created(c, await renderRequested(s, accountView, account, queryOf(c)))
    },
  })
  serveCollection(app, r, `/${owner.plural}/:id/groups`, load, owner.view.links.groups!, {
    post: async (c) => {
      const s = scope(c, r)
      const row = await load(c)
      const input = required(readFields(await readJsonObject(c), groupFields, ['name']), 'name')
      const store = await defaultStore(s, row.id, 'group', kind)
      return created(
        c,
        await renderRequested(
          s,
          groupView,
          await createGroup(r.deps, store.directory, input),
          queryOf(c),
        ),
      )
    },
  })

  const loadMapping = async (c: RestContext) => {
    const mapping = await mustFind(
      scope(c, r),
      schema.accountStoreMappings,
      c.req.param('id')!,
      'account store mapping',
    )
    if (mapping.ownerType !== kind)
      throw new EdgepassError('not_found', 'The account store mapping does not exist.')
    return mapping
  }
  resource(app, `/${owner.mappings}`, {
    post: async (c) => {
      const s = scope(c, r)
      const body = await readJsonObject(c)
      const ownerRef = readLink(r.hrefs, body[kind], kind, [owner.plural])
      // Organizations are read as stores for organization owners too, so that createMapping
      // answers what Stormpath does (4614) rather than a generic bad href (2016).
      const storeRef = readLink(r.hrefs, body.accountStore, 'accountStore', [
        'directories',
        'groups',
        'organizations',
      ])
      const ownerRow = await mustFindReference(s, owner.table, ownerRef.id, kind)
      const storeType = (
        { directories: 'directory', groups: 'group', organizations: 'organization' } as const
      )[storeRef.type as 'directories' | 'groups' | 'organizations']
      const storeTable = {
        directory: schema.directories,
        group: schema.groups,
        organization: schema.organizations,
      }[storeType]
      await mustFindReference(s, storeTable, storeRef.id, 'accountStore')
      const mappingOwner: MappingOwner = { type: kind, id: ownerRow.id, tenantId: s.tenantId }
      const row = await createMapping(
        r.deps,
        mappingOwner,
        { type: storeType, id: storeRef.id },
        readFields(body, mappingFields),
      )
      return created(c, await renderRequested(s, mappingView, row, queryOf(c)))
    },
  })
  resource(app, `/${owner.mappings}/:id`, {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), mappingView, await loadMapping(c), queryOf(c))),
    post: async (c) => {
      const row = await updateMapping(
        r.deps,
        await loadMapping(c),
        readFields(await readJsonObject(c), mappingFields),
      )
      return c.json(await renderRequested(scope(c, r), mappingView, row, queryOf(c)))
    },
    delete: async (c) => {
      await deleteMapping(r.deps, await loadMapping(c))
      return c.body(null, 204)
    },
  })
}

/** Fields validated as required are present: narrows the type for the domain functions. */
function required<T extends object, K extends keyof T>(
  input: Partial<T>,
  ..._keys: K[]
): Partial<T> & Required<Pick<T, K>> {
  return input as Partial<T> & Required<Pick<T, K>>
}

/** `?createDirectory=true` or `?createDirectory=<name>` on `POST /applications`. */
function createDirectoryOption(query: URLSearchParams): string | undefined {
  const value = query.get('createDirectory')
  if (value === null || value === 'false') return undefined
  if (value === 'true') return ''
  if (value.trim().length === 0 || value.length > 255) {
    throw new EdgepassError(
      'query_invalid_value',
      'createDirectory must be true or a directory name.',
      { field: 'createDirectory' },
    )
  }
  return value.trim()
}

/** Stormpath's codes for a missing or disabled default store: 51xx for applications, 46xx for organizations. */
const DEFAULT_STORE_ERRORS: Record<
  OwnerKind,
  Record<'account' | 'group', { none: ErrorCode; disabled: ErrorCode }>
> = {
  application: {
    account: { none: 'no_default_account_store', disabled: 'default_account_store_disabled' },
    group: { none: 'no_default_group_store', disabled: 'default_group_store_disabled' },
  },
  organization: {
    account: {
      none: 'org_no_default_account_store',
      disabled: 'org_default_account_store_disabled',
    },
    group: { none: 'org_no_default_group_store', disabled: 'org_default_group_store_disabled' },
  },
}

/**
 * Where `POST …/accounts` (or `…/groups`) creates: the owner's default account (group) store,
 * through an organization's own default when an application's default is an organization.
 */
async function defaultStore(
  s: Scope,
  ownerId: string,
  purpose: 'account' | 'group',
  ownerKind: OwnerKind,
): Promise<{ directory: DirectoryRow; group?: typeof schema.groups.$inferSelect }> {
  const errors = DEFAULT_STORE_ERRORS[ownerKind][purpose]
  const { accountStoreMappings: m } = schema
  const flag = purpose === 'account' ? m.isDefaultAccountStore : m.isDefaultGroupStore
  const mapping: MappingRow | undefined = await s.deps.db
    .select()
    .from(m)
    .where(and(eq(m.ownerId, ownerId), eq(flag, true)))
    .get()
  if (!mapping) throw new EdgepassError(errors.none, `There is no default ${purpose} store.`)
  if (mapping.storeType === 'organization') {
    const organization = await mustFind(s, schema.organizations, mapping.storeId, 'organization')
    if (organization.status !== 'ENABLED')
      throw new EdgepassError(errors.disabled, `The default ${purpose} store is disabled.`)
    return defaultStore(s, organization.id, purpose, 'organization')
  }
  if (mapping.storeType === 'group') {
    const group = await mustFind(s, schema.groups, mapping.storeId, 'group')
    const directory = await mustFind(s, schema.directories, group.directoryId, 'directory')
    if (group.status !== 'ENABLED' || directory.status !== 'ENABLED')
      throw new EdgepassError(errors.disabled, `The default ${purpose} store is disabled.`)
    return { directory, group }
  }
  const directory = await mustFind(s, schema.directories, mapping.storeId, 'directory')
  if (directory.status !== 'ENABLED')
    throw new EdgepassError(errors.disabled, `The default ${purpose} store is disabled.`)
  return { directory }
}

/**
 * `POST /applications/{id}/loginAttempts {type: "basic", value: base64(login:password),
 * accountStore?}` (stormpath-api reference §11.1). Rate limited per client address and per
 * login name, in the database, so the limits hold across instances.
 */
async function loginAttempt(
  c: RestContext,
  r: RouteDeps,
  application: typeof schema.applications.$inferSelect,
): Promise<JsonObject> {
  const s = scope(c, r)
  const body = await readJsonObject(c)
  const input = readFields(body, loginFields, ['type', 'value'])
  const decoded = decodeBasicValue(input.value!)
  const selector = readStoreSelector(r, body.accountStore)
  // Per login only: these calls come from an application's back end, whose one address speaks
  // for all its users, so a per-address limit would throttle the whole application.
  await enforceRateLimits(r.deps, [
    // The same normalisation as the lookup: " Alice" must not be a fresh budget for "alice".
    [`login:account:${application.tenantId}:${normaliseLogin(decoded.login)}`, LOGIN_PER_ACCOUNT],
  ])
  const tenant = (await s.deps.db
    .select()
    .from(schema.tenants)
    .where(eq(schema.tenants.id, s.tenantId))
    .get())!
  const outcome = await attemptLogin(
    r.deps,
    tenant,
    application,
    decoded.login,
    decoded.password,
    selector,
  )
  if (outcome.kind === 'refused') {
    deliverInBackground(c, r.deps) // the failure that locks the account queues a mail
    throw loginError(outcome.code)
  }
  const wantsAccount = (queryOf(c).get('expand') ?? '')
    .split(',')
    .some((name) => name.trim() === 'account')
  return {
    account: wantsAccount
      ? await render(s, accountView, outcome.account)
      : { href: r.hrefs.of('accounts', outcome.account.id) },
  }
}

function decodeBasicValue(value: string): { login: string; password: string } {
  let decoded: string
  try {
    decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)),
    )
  } catch {
    throw new EdgepassError('invalid_value', 'value must be base64(login:password).', {
      field: 'value',
    })
  }
  // Split at the first colon: passwords may contain colons, logins may not.
  const colon = decoded.indexOf(':')
  if (colon < 1)
    throw new EdgepassError('invalid_value', 'value must be base64(login:password).', {
      field: 'value',
    })
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** A body's `accountStore`: absent (all stores), an href, or an organization's `{nameKey}`. */
export function readStoreSelector(r: RouteDeps, value: unknown): StoreSelector {
  if (value === undefined || value === null) return { kind: 'all' }
  if (typeof value === 'object' && typeof (value as { nameKey?: unknown }).nameKey === 'string') {
    return { kind: 'organization', nameKey: (value as { nameKey: string }).nameKey }
  }
  const ref = readLink(r.hrefs, value, 'accountStore', ['directories', 'groups', 'organizations'])
  const type = (
    { directories: 'directory', groups: 'group', organizations: 'organization' } as const
  )[ref.type as 'directories' | 'groups' | 'organizations']
  return { kind: 'store', type, id: ref.id }
}
