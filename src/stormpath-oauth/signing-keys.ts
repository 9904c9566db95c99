/**
 * Which API keys sign and verify a tenant's OAuth tokens: its administrators' enabled keys, as
 * the Node SDK's `StormpathAccessTokenAuthenticator` accepts only a `kid` whose account is in
 * "Stormpath Administrators" (stormpath-api reference §5.1 item 2).
 */
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { openApiKeySecret } from '../directory/api-keys'
import type { SigningKey } from './jwts'

/**
 * The administrator key `kid` of `tenantId`, opened; undefined when it is unknown, disabled,
 * another tenant's, or its account is no longer an enabled administrator. `known` is the
 * caller's own key, already checked and opened by API authentication.
 *
 * @example
 * const key = await tenantSigningKey(deps, tenantId, header.kid, caller.apiKey)
 */
export async function tenantSigningKey(
  deps: Pick<Deps, 'db' | 'sealer'>,
  tenantId: string,
  kid: string,
  known?: SigningKey,
): Promise<SigningKey | undefined> {
  if (known?.id === kid) return known
  const { apiKeys, accounts, directories } = schema
  const row = await deps.db
    .select({ key: apiKeys, accountStatus: accounts.status, isAdmin: directories.isAdmin })
    .from(apiKeys)
    .innerJoin(accounts, eq(accounts.id, apiKeys.accountId))
    .innerJoin(directories, eq(directories.id, accounts.directoryId))
    .where(eq(apiKeys.id, kid))
    .get()
  const usable =
    row &&
    row.key.tenantId === tenantId &&
    row.key.status === 'ENABLED' &&
    row.accountStatus === 'ENABLED' &&
    row.isAdmin
  if (!usable) return undefined
  return { id: row.key.id, secret: await openApiKeySecret(deps, row.key) }
}
