/**
 * External directories through `/v1` (issue "External directory connector"):
 *
 * - `POST /v1/directories` with `provider: { providerId: "ldap", … }` creates one
 * - `GET|POST /v1/directories/{id}/provider` — its settings (the bind password is write-only);
 *   posting `providerId: "stormpath"` switches the connector off (its accounts become local)
 * - `POST /v1/directories/{id}/sync` — 202 with a sync run to poll (the one already queued or
 *   running, if any); `GET /v1/directories/{id}/syncRuns`; `GET /v1/directorySyncRuns/{id}`
 */
import { and, eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { disableProvider, providerOf, updateProvider } from '../../directory/external/providers'
import { NAME_FIELDS, PROVIDER_FIELDS, type ProviderInput } from '../../directory/external/settings'
import { queueSync } from '../../directory/external/sync-runs'
import { updateUpstream, upstreamOf } from '../../directory/upstream/providers'
import { UPSTREAM_FIELDS, type UpstreamInput } from '../../directory/upstream/settings'
import { EdgepassError } from '../../errors'
import { readJsonObject, type JsonObject } from '../body'
import { readFields } from '../fields'
import { listCollection, rendererFor } from '../views/core'
import { providerJson, syncRunSource, syncRunView } from '../views/external'
import {
  mustFind,
  queryOf,
  resource,
  scope,
  type RestApp,
  type RestContext,
  type RouteDeps,
} from './helpers'

const PROVIDER_IDS = ['stormpath', 'ldap', 'oidc'] as const

export type DirectoryProviderInput =
  { providerId: 'ldap'; input: ProviderInput } | { providerId: 'oidc'; input: UpstreamInput }

/**
 * Reads a `provider` object: undefined for a local directory (`stormpath`, or none), the
 * validated input of an `ldap` or `oidc` one. Unknown providers are 400 naming the field.
 */
export function readDirectoryProvider(value: unknown): DirectoryProviderInput | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new EdgepassError('wrong_type', 'provider must be an object.', { field: 'provider' })
  }
  const { providerId } = readFields(value as JsonObject, { providerId: v.picklist(PROVIDER_IDS) })
  if (providerId === 'oidc')
    return { providerId, input: readFields(value as JsonObject, UPSTREAM_FIELDS) }
  const input = readProvider(value)
  return input ? { providerId: 'ldap', input } : undefined
}

/**
 * Reads an `ldap` provider object: undefined for a local directory (`stormpath`, or none).
 */
function readProvider(value: unknown): ProviderInput | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new EdgepassError('wrong_type', 'provider must be an object.', { field: 'provider' })
  }
  const body = value as JsonObject
  const { providerId } = readFields(body, { providerId: v.picklist(PROVIDER_IDS) })
  if (providerId === undefined || providerId === 'stormpath') return undefined
  if (providerId === 'oidc') {
    throw new EdgepassError('unsupported_value', 'providerId cannot change.', {
      field: 'providerId',
    })
  }
  const input: ProviderInput = readFields(body, PROVIDER_FIELDS)
  if (body.nameFields !== undefined) {
    if (
      typeof body.nameFields !== 'object' ||
      body.nameFields === null ||
      Array.isArray(body.nameFields)
    ) {
      throw new EdgepassError('wrong_type', 'nameFields must be an object.', {
        field: 'nameFields',
      })
    }
    input.nameFields = readFields(body.nameFields as JsonObject, NAME_FIELDS)
  }
  return input
}

export function externalDirectoryRoutes(app: RestApp, r: RouteDeps): void {
  const { directories } = schema
  const loadDirectory = (c: RestContext) =>
    mustFind(scope(c, r), directories, c.req.param('id')!, 'directory')

  resource(app, '/directories/:id/provider', {
    get: async (c) => c.json(await providerJson(scope(c, r), await loadDirectory(c))),
    post: async (c) => {
      const directory = await loadDirectory(c)
      const body = await readJsonObject(c)
      const upstream =
        directory.providerId === 'oidc' ? await upstreamOf(r.deps, directory.id) : undefined
      if (upstream) {
        if (body.providerId !== undefined && body.providerId !== 'oidc') {
          throw new EdgepassError('unsupported_value', 'providerId cannot change.', {
            field: 'providerId',
          })
        }
        await updateUpstream(r.deps, upstream, readFields(body, UPSTREAM_FIELDS))
        return c.json(await providerJson(scope(c, r), directory))
      }
      const provider = await providerOf(r.deps, directory.id)
      if (!provider) {
        // A local directory stays local: an external one is created as such (its accounts are
        // the server's, keyed by the server's ids).
        if (body.providerId !== undefined && body.providerId !== 'stormpath') {
          throw new EdgepassError(
            'unsupported_value',
            'A local directory cannot become external: create an external directory.',
            { field: 'providerId' },
          )
        }
        return c.json(await providerJson(scope(c, r), directory))
      }
      if (body.providerId === 'stormpath') {
        return c.json(await providerJson(scope(c, r), await disableProvider(r.deps, directory)))
      }
      if (body.providerId !== undefined && body.providerId !== 'ldap') {
        throw new EdgepassError('unsupported_value', 'providerId cannot change.', {
          field: 'providerId',
        })
      }
      await updateProvider(r.deps, provider, readProvider({ ...body, providerId: 'ldap' })!)
      return c.json(await providerJson(scope(c, r), directory))
    },
  })

  resource(app, '/directories/:id/sync', {
    post: async (c) => {
      const directory = await loadDirectory(c)
      if (directory.providerId !== 'ldap') {
        throw new EdgepassError('invalid_value', 'Only an external directory can be synced.', {
          field: 'provider',
        })
      }
      if (directory.status !== 'ENABLED') {
        throw new EdgepassError('reference_unusable', 'The directory is disabled.', {
          field: 'status',
        })
      }
      const run = await queueSync(r.deps, directory, 'manual')
      const body = await rendererFor(scope(c, r), syncRunView, queryOf(c))(run)
      c.header('Location', body.href as string)
      return c.json(body, 202)
    },
  })

  resource(app, '/directories/:id/syncRuns', {
    get: async (c) => {
      const directory = await loadDirectory(c)
      const where = eq(schema.directorySyncRuns.directoryId, directory.id)
      const href = r.hrefs.of('directories', directory.id, 'syncRuns')
      return c.json(await listCollection(scope(c, r), href, syncRunSource, where, queryOf(c)))
    },
  })

  resource(app, '/directorySyncRuns/:id', {
    get: async (c) => {
      const s = scope(c, r)
      const { directorySyncRuns: runs } = schema
      const run = await r.deps.db
        .select()
        .from(runs)
        .where(and(eq(runs.id, c.req.param('id')!), eq(runs.tenantId, s.tenantId)))
        .get()
      if (!run) throw new EdgepassError('not_found', 'The requested resource does not exist.')
      return c.json(await rendererFor(s, syncRunView, queryOf(c))(run))
    },
  })
}
