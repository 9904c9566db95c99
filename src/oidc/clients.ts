/**
 * OpenID Connect clients (reference §1.4): one per application, created by an administrator,
 * the server choosing `client_id` and `client_secret`. The secret is shown once and stored as
 * SHA-256 (256 random bits, so no salt or slow hash is needed); public clients (`none`) have
 * none and rely on PKCE.
 */
import { and, eq, sql } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { timingSafeEqual } from '../security/constant-time'
import { newId } from '../security/ids'
import { hashSecretToken, MAX_TOKEN_LENGTH, newSecretToken } from '../security/tokens'
import { isConstraintError } from '../store/errors'
import { preparedStatement } from '../store/prepared'
import type { ApplicationRow, OidcClientRow } from '../store/rows'
import { inTenant, updateVersioned } from '../store/scoped'
import {
  columnsOf,
  DEFAULT_CLIENT_SETTINGS,
  settingsOf,
  type GrantType,
  type OidcClientInput,
} from './clients-settings'
import { resolveClientSettings } from './clients-validation'
import { OAuthError } from './errors'

export type { OidcClientInput, OidcClientSettings } from './clients-settings'

/** A client as written, with its secret when one was just issued (shown once, never stored). */
export interface ClientWithSecret {
  row: OidcClientRow
  secret?: string
}

/** The length of a `client_id`: 32 base62 characters (~190 bits), unguessable though public. */
export const CLIENT_ID_LENGTH = 32

/**
 * Creates the client of `application`, which the caller has loaded from its own tenant.
 * Confidential clients get a secret; a second client for the same application is 409/2001.
 *
 * @example
 * const { row, secret } = await createOidcClient(deps, application, {
 *   redirectUris: ['https://app.example.com/callback'],
 * })
 */
export async function createOidcClient(
  deps: Pick<Deps, 'db' | 'now'>,
  application: ApplicationRow,
  input: OidcClientInput,
): Promise<ClientWithSecret> {
  const settings = resolveClientSettings(DEFAULT_CLIENT_SETTINGS, input)
  const secret = settings.tokenEndpointAuthMethod === 'none' ? undefined : newSecretToken()
  const now = deps.now()
  const row: OidcClientRow = {
    id: newId(CLIENT_ID_LENGTH),
    tenantId: application.tenantId,
    applicationId: application.id,
    secretHash: secret === undefined ? null : await hashSecretToken(secret),
    ...columnsOf(settings),
    version: 1,
    createdAt: now,
    modifiedAt: now,
  }
  try {
    await deps.db.insert(schema.oidcClients).values(row)
  } catch (error) {
    // The unique index decides, not a prior read: two concurrent creates cannot both win.
    if (!isConstraintError(error, 'UNIQUE')) throw error
    throw new EdgepassError('duplicate', 'The application already has an OpenID Connect client.', {
      field: 'application',
      cause: error,
    })
  }
  return { row, secret }
}

/**
 * Changes some settings. Switching a public client to a confidential method issues its first
 * secret (returned, shown once); switching to `none` discards the secret.
 */
export async function updateOidcClient(
  deps: Pick<Deps, 'db' | 'now'>,
  client: OidcClientRow,
  input: OidcClientInput,
): Promise<ClientWithSecret> {
  // Hashing is async and the versioned write's callback is not: prepare a secret in case the
  // update turns the client confidential, and use it only then.
  const candidate = newSecretToken()
  const candidateHash = await hashSecretToken(candidate)
  let issued = false
  const row = await updateVersioned(deps.db, schema.oidcClients, client, (current) => {
    const settings = resolveClientSettings(settingsOf(current), input)
    const confidential = settings.tokenEndpointAuthMethod !== 'none'
    issued = confidential && current.secretHash === null
    return {
      ...columnsOf(settings),
      secretHash: confidential ? (current.secretHash ?? candidateHash) : null,
      modifiedAt: deps.now(),
    }
  })
  if (!row) throw gone()
  return issued ? { row, secret: candidate } : { row }
}

/**
 * Replaces the secret of a confidential client. The old secret stops working at once (its hash
 * is overwritten); tokens already issued stay valid until they expire or are revoked.
 */
export async function rotateClientSecret(
  deps: Pick<Deps, 'db' | 'now'>,
  client: OidcClientRow,
): Promise<Required<ClientWithSecret>> {
  const secret = newSecretToken()
  const secretHash = await hashSecretToken(secret)
  const row = await updateVersioned(deps.db, schema.oidcClients, client, (current) => {
    if (current.tokenEndpointAuthMethod === 'none') {
      throw new EdgepassError('invalid_value', 'A public client has no secret to rotate.', {
        field: 'tokenEndpointAuthMethod',
        developerMessage: 'Clients with tokenEndpointAuthMethod none authenticate with PKCE only.',
      })
    }
    return { secretHash, modifiedAt: deps.now() }
  })
  if (!row) throw gone()
  return { row, secret }
}

/**
 * Deletes a client with its grants and tokens: an access or refresh token must not outlive the
 * client it was issued to.
 */
export async function deleteOidcClient(
  deps: Pick<Deps, 'db'>,
  client: OidcClientRow,
): Promise<void> {
  const { db } = deps
  const { oidcClients, oidcGrants, oidcTokens } = schema
  const ofClient = <T extends typeof oidcGrants | typeof oidcTokens>(table: T) =>
    and(eq(table.tenantId, client.tenantId), eq(table.clientId, client.id))
  await db.batch([
    db.delete(oidcTokens).where(ofClient(oidcTokens)),
    db.delete(oidcGrants).where(ofClient(oidcGrants)),
    db.delete(oidcClients).where(inTenant(oidcClients, client.tenantId, client.id)),
  ])
}

/**
 * The client `clientId` of the tenant, if it can be used: it exists in this tenant and its
 * application still exists and is enabled (disabling an application stops its sign-ins, as it
 * stops its login attempts).
 *
 * @example
 * const client = await findOidcClient(deps, tenant.id, query.client_id)
 * if (!client) return errorPage('unknown client')
 */
export async function findOidcClient(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  clientId: string,
): Promise<OidcClientRow | undefined> {
  if (clientId.length === 0 || clientId.length > 64) return undefined
  return (await usableClientLookup(deps.db).get({ tenantId, clientId }))?.client
}

/** Every token, userinfo and authorization request runs it. */
const usableClientLookup = preparedStatement((db) => {
  const { oidcClients, applications } = schema
  return db
    .select({ client: oidcClients })
    .from(oidcClients)
    .innerJoin(applications, eq(applications.id, oidcClients.applicationId))
    .where(
      and(
        eq(oidcClients.id, sql.placeholder('clientId')),
        eq(oidcClients.tenantId, sql.placeholder('tenantId')),
        eq(applications.tenantId, sql.placeholder('tenantId')),
        eq(applications.status, 'ENABLED'),
      ),
    )
    .prepare()
})

/** The client of an application, whatever the application's status (for administration). */
export async function findClientOfApplication(
  deps: Pick<Deps, 'db'>,
  application: ApplicationRow,
): Promise<OidcClientRow | undefined> {
  const { oidcClients } = schema
  return deps.db
    .select()
    .from(oidcClients)
    .where(
      and(
        eq(oidcClients.tenantId, application.tenantId),
        eq(oidcClients.applicationId, application.id),
      ),
    )
    .get()
}

/** How a client presented itself at the token (or revocation, introspection) endpoint. */
export interface ClientCredentials {
  clientId: string
  secret?: string
  /** `client_secret_basic`: the Authorization header; `client_secret_post`: the form; `none`: only `client_id`. */
  method: 'client_secret_basic' | 'client_secret_post' | 'none'
}

/**
 * Authenticates a client (RFC 6749 §2.3, OIDC Core §9): it must use its registered method —
 * a public client must send no secret, a confidential one its secret by its method. Any
 * failure is `invalid_client` (401, RFC 6749 §5.2).
 *
 * @example
 * const client = await authenticateClient(deps, tenant.id, {
 *   clientId, secret, method: 'client_secret_basic',
 * })
 */
export async function authenticateClient(
  deps: Pick<Deps, 'db'>,
  tenantId: string,
  credentials: ClientCredentials,
): Promise<OidcClientRow> {
  const { clientId, secret, method } = credentials
  // Hash before looking the client up, whatever was presented: an unknown client_id then costs
  // what a known one does, and response times do not tell which ids exist.
  const presented = secret !== undefined && secret.length <= MAX_TOKEN_LENGTH ? secret : ''
  const presentedHash = await hashSecretToken(presented)
  const client = await findOidcClient(deps, tenantId, clientId)
  if (!client) throw invalidClient('Client authentication failed.')
  if (method !== client.tokenEndpointAuthMethod) {
    // Worth saying: basic versus post is the most common client misconfiguration.
    throw invalidClient(
      `Client authentication failed: this client authenticates with ${client.tokenEndpointAuthMethod}.`,
    )
  }
  if (client.tokenEndpointAuthMethod === 'none') {
    if (secret !== undefined) throw invalidClient('A public client must not send a secret.')
    return client
  }
  const matches =
    secret !== undefined &&
    secret.length <= MAX_TOKEN_LENGTH &&
    client.secretHash !== null &&
    timingSafeEqual(presentedHash, client.secretHash)
  if (!matches) throw invalidClient('Client authentication failed.')
  return client
}

/**
 * Whether `uri` is one of the client's redirect URIs, compared as exact strings (OAuth 2.0
 * Security BCP, RFC 9700 §4.1.3): no normalisation, no prefix or pattern match, which is what
 * open-redirect and code-theft attacks exploit.
 */
export function isRedirectUriRegistered(client: OidcClientRow, uri: string): boolean {
  return (JSON.parse(client.redirectUris) as string[]).includes(uri)
}

/** The same exact match for RP-initiated logout's `post_logout_redirect_uri`. */
export function isPostLogoutRedirectUriRegistered(client: OidcClientRow, uri: string): boolean {
  return (JSON.parse(client.postLogoutRedirectUris) as string[]).includes(uri)
}

/** Whether the client may use `grantType` at the token endpoint (`unauthorized_client` if not). */
export function allowsGrantType(client: OidcClientRow, grantType: GrantType): boolean {
  return (JSON.parse(client.grantTypes) as string[]).includes(grantType)
}

/**
 * The origins allowed to call token, userinfo and revocation from a browser (reference §6.6):
 * the configured ones, else the origins of the client's http(s) redirect URIs — an SPA's
 * callback lives on its own origin. Custom-scheme URIs have no web origin.
 */
export function corsOriginsOf(client: OidcClientRow): string[] {
  const configured = JSON.parse(client.corsOrigins) as string[]
  if (configured.length > 0) return configured
  const origins = new Set<string>()
  for (const uri of JSON.parse(client.redirectUris) as string[]) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) origins.add(url.origin)
  }
  return [...origins]
}

function invalidClient(description: string): OAuthError {
  return new OAuthError('invalid_client', description, 401)
}

function gone(): EdgepassError {
  return new EdgepassError('not_found', 'The OpenID Connect client no longer exists.')
}
