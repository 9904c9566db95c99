import { eq } from 'drizzle-orm'
import * as v from 'valibot'
import { deliverInBackground } from '../../mail/delivery'
import * as schema from '../../../db/schema'
import { createAccount } from '../../directory/accounts'
import {
  createDirectory,
  deleteDirectory,
  updateDirectory,
  type DirectoryInput,
} from '../../directory/directories'
import { createExternalDirectory } from '../../directory/external/providers'
import { readDirectoryProvider } from './external-directories'
import { createUpstreamDirectory } from '../../directory/upstream/providers'
import {
  addMembership,
  createGroup,
  deleteGroup,
  removeMembership,
  updateGroup,
} from '../../directory/groups'
import { EdgepassError } from '../../errors'
import { endSessionsWithoutSecondFactor } from '../../mfa/policy'
import type { TenantRow } from '../../store/rows'
import { readJsonObject } from '../body'
import { picklist, readFields, STATUS, text } from '../fields'
import { readLink } from '../hrefs'
import type { LinkSpec } from '../views/core'
import { rendererFor, renderRequested } from '../views/core'
import {
  accountView,
  directoryView,
  groupView,
  membershipView,
  tenantView,
} from '../views/directory'
import { accountFields, accountCreateOptions } from './accounts'
import {
  loadPathTenant,
  created,
  mustFind,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

/**
 * A resource name, 1–255 characters (stormpath-api reference §7) once trimmed, so blanks are no
 * name. Control characters are refused: SQLite's text functions and C clients stop at a NUL,
 * and collection filters refuse one, so such a name could be stored but never searched.
 */
export const nameText = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1),
  v.maxLength(255),
  v.regex(/^\P{Cc}*$/u),
)

/** Free text of at most `max` characters: line breaks are fine, NUL is not ({@link nameText}). */
export function descriptionText(max: number) {
  return v.pipe(text(0, max), v.regex(/^[^\0]*$/))
}

export const directoryFields = {
  name: nameText,
  description: descriptionText(1000),
  status: picklist(STATUS),
}
export const groupFields = {
  name: nameText,
  description: descriptionText(1000),
  status: picklist(STATUS),
}
const tenantFields = {
  name: nameText,
  /** Cloudron's Users → Settings (reference §1.7). */
  mandatoryMfa: v.boolean(),
  lockProfile: v.boolean(),
}

/** Serves a view's collection link at `/{type}/{id}/{name}`. */
export function serveCollection<Row>(
  app: RestApp,
  r: RouteDeps,
  path: string,
  load: (c: RestContext) => Promise<Row>,
  link: LinkSpec<Row>,
  extra: Parameters<typeof resource>[2] = {},
) {
  if (link.kind !== 'collection') throw new Error(`${path} is not a collection`)
  resource(app, path, {
    get: async (c) => c.json(await link.list(scope(c, r), await load(c), queryOf(c))),
    ...extra,
  })
}

/** Lists a collection link of `row` (e.g. the tenant's directories for `GET /directories`). */
export function listLink<Row>(c: RestContext, r: RouteDeps, link: LinkSpec<Row>, row: Row) {
  if (link.kind !== 'collection') throw new Error('not a collection link')
  return link.list(scope(c, r), row, queryOf(c))
}

export function tenantRoutes(app: RestApp, r: RouteDeps): void {
  const { tenants } = schema
  const loadTenant = (c: RestContext) => loadPathTenant(c, r)
  // The Node SDK starts here and follows the redirect with its credentials (reference §2, rule 7).
  resource(app, '/tenants/current', {
    get: (c) => c.redirect(r.hrefs.of('tenants', c.get('caller').tenantId), 302),
  })
  resource(app, '/tenants/:id', {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), tenantView, await loadTenant(c), queryOf(c))),
    post: async (c) => {
      const tenant = await loadTenant(c)
      const respond = rendererFor(scope(c, r), tenantView, queryOf(c))
      const input = readFields(await readJsonObject(c), tenantFields)
      const [row] = await r.deps.db
        .update(tenants)
        .set({ ...input, modifiedAt: r.deps.now() })
        .where(eq(tenants.id, tenant.id))
        .returning()
      // Switched on: whoever has no second factor is signed out now, not at their next login.
      if (input.mandatoryMfa && !tenant.mandatoryMfa) {
        await endSessionsWithoutSecondFactor(r.deps, tenant.id)
      }
      return c.json(await respond(row!))
    },
  })
  for (const name of [
    'applications',
    'directories',
    'accounts',
    'groups',
    'organizations',
  ] as const) {
    serveCollection(app, r, `/tenants/:id/${name}`, loadTenant, tenantView.links[name]!)
  }
}

export function directoryRoutes(app: RestApp, r: RouteDeps): void {
  const { directories, groups, groupMemberships, accounts } = schema
  const loadDirectory = (c: RestContext) =>
    mustFind(scope(c, r), directories, c.req.param('id')!, 'directory')
  const loadGroup = (c: RestContext) => mustFind(scope(c, r), groups, c.req.param('id')!, 'group')

  resource(app, '/directories', {
    get: async (c) =>
      c.json(
        await listLink(c, r, tenantView.links.directories!, {
          id: c.get('caller').tenantId,
        } as TenantRow),
      ),
    post: async (c) => {
      const s = scope(c, r)
      const respond = rendererFor(s, directoryView, queryOf(c))
      const body = await readJsonObject(c)
      const input = readFields(body, directoryFields, ['name']) as DirectoryInput & { name: string }
      const provider = readDirectoryProvider(body.provider)
      const row =
        provider?.providerId === 'ldap'
          ? await createExternalDirectory(r.deps, s.tenantId, input, provider.input)
          : provider?.providerId === 'oidc'
            ? await createUpstreamDirectory(r.deps, s.tenantId, input, provider.input)
            : await createDirectory(r.deps, s.tenantId, input)
      return created(c, await respond(row))
    },
  })
  resource(app, '/directories/:id', {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), directoryView, await loadDirectory(c), queryOf(c))),
    post: async (c) => {
      const directory = await loadDirectory(c)
      const respond = rendererFor(scope(c, r), directoryView, queryOf(c))
      const row = await updateDirectory(
        r.deps,
        directory,
        readFields(await readJsonObject(c), directoryFields),
      )
      return c.json(await respond(row))
    },
    delete: async (c) => {
      await deleteDirectory(r.deps, await loadDirectory(c))
      return c.body(null, 204)
    },
  })
  serveCollection(
    app,
    r,
    '/directories/:id/accounts',
    loadDirectory,
    directoryView.links.accounts!,
    {
      post: async (c) => {
        const directory = await loadDirectory(c)
        const respond = rendererFor(scope(c, r), accountView, queryOf(c))
        const body = await readJsonObject(c)
        const input = readFields(body, accountFields, ['email', 'password'])
        const row = await createAccount(
          r.deps,
          directory,
          input as typeof input & { email: string; password: string },
          accountCreateOptions(queryOf(c)),
        )
        deliverInBackground(c, r.deps)
        return created(c, await respond(row))
      },
    },
  )
  serveCollection(app, r, '/directories/:id/groups', loadDirectory, directoryView.links.groups!, {
    post: async (c) => {
      const directory = await loadDirectory(c)
      const respond = rendererFor(scope(c, r), groupView, queryOf(c))
      const input = readFields(await readJsonObject(c), groupFields, ['name'])
      const row = await createGroup(r.deps, directory, input as typeof input & { name: string })
      return created(c, await respond(row))
    },
  })
  for (const name of [
    'applicationMappings',
    'applications',
    'organizationMappings',
    'organizations',
  ] as const) {
    serveCollection(app, r, `/directories/:id/${name}`, loadDirectory, directoryView.links[name]!)
  }

  resource(app, '/groups/:id', {
    get: async (c) =>
      c.json(await renderRequested(scope(c, r), groupView, await loadGroup(c), queryOf(c))),
    post: async (c) => {
      const group = await loadGroup(c)
      const respond = rendererFor(scope(c, r), groupView, queryOf(c))
      const row = await updateGroup(r.deps, group, readFields(await readJsonObject(c), groupFields))
      return c.json(await respond(row))
    },
    delete: async (c) => {
      await deleteGroup(r.deps, await loadGroup(c))
      return c.body(null, 204)
    },
  })
  for (const name of ['accounts', 'accountMemberships', 'applications'] as const) {
    serveCollection(app, r, `/groups/:id/${name}`, loadGroup, groupView.links[name]!)
  }

  resource(app, '/groupMemberships', {
    post: async (c) => {
      const s = scope(c, r)
      const respond = rendererFor(s, membershipView, queryOf(c))
      const body = await readJsonObject(c)
      const accountRef = readLink(r.hrefs, body.account, 'account', ['accounts'])
      const groupRef = readLink(r.hrefs, body.group, 'group', ['groups'])
      const account = await mustFindReference(s, accounts, accountRef.id, 'account')
      const group = await mustFindReference(s, groups, groupRef.id, 'group')
      const row = await addMembership(r.deps, account, group)
      return created(c, await respond(row))
    },
  })
  resource(app, '/groupMemberships/:id', {
    get: async (c) => {
      const s = scope(c, r)
      return c.json(
        await renderRequested(
          s,
          membershipView,
          await mustFind(s, groupMemberships, c.req.param('id')!, 'group membership'),
          queryOf(c),
        ),
      )
    },
    delete: async (c) => {
      const s = scope(c, r)
      await removeMembership(
        r.deps,
        await mustFind(s, groupMemberships, c.req.param('id')!, 'group membership'),
      )
      return c.body(null, 204)
    },
  })
}

/** A referenced resource that does not exist is 400/2020, not 404: the request itself was found. */
export async function mustFindReference<T extends Parameters<typeof mustFind>[1]>(
  s: ReturnType<typeof scope>,
  table: T,
  id: string,
  field: string,
) {
  try {
    return await mustFind(s, table, id, field)
  } catch (error) {
    // Only "not found" is the client's mistake; a failing database must stay a 5xx.
    if (!(error instanceof EdgepassError) || error.code !== 'not_found') throw error
    throw new EdgepassError('reference_not_found', `The ${field} does not exist.`, { field })
  }
}
