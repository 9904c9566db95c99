import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { EdgepassError } from '../errors'
import { base64UrlEncode } from '../security/encoding'
import type { AccountRow, ApiKeyRow, Status } from '../store/rows'
import { inTenant } from '../store/scoped'

/** Stormpath-style key ids: 25 upper-case letters and digits, easy to paste into configs. */
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

export interface ApiKeyInput {
  status?: Status
  name?: string
  description?: string
}

function newKeyId(): string {
  let id = ''
  while (id.length < 25) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      // 252 = 7 × 36: higher bytes would bias the alphabet.
      if (byte < 252 && id.length < 25) id += KEY_ID_ALPHABET[byte % 36]
    }
  }
  return id
}

/** The sealing context binds a sealed secret to its key: it cannot be pasted onto another row. */
const sealContext = (keyId: string) => `api-key:${keyId}`

/** Creates a key for an account; returns the row and the secret (256 random bits). */
export async function createApiKey(
  deps: Deps,
  account: AccountRow,
  input: ApiKeyInput,
): Promise<{ row: ApiKeyRow; secret: string }> {
  const id = newKeyId()
  const secret = base64UrlEncode(crypto.getRandomValues(new Uint8Array(32)))
  const now = deps.now()
  const row: ApiKeyRow = {
    id,
    tenantId: account.tenantId,
    accountId: account.id,
    secretSealed: await deps.sealer.seal(secret, sealContext(id)),
    status: input.status ?? 'ENABLED',
    name: input.name ?? '',
    description: input.description ?? '',
    createdAt: now,
    modifiedAt: now,
  }
  await deps.db.insert(schema.apiKeys).values(row)
  return { row, secret }
}

export function openApiKeySecret(deps: Pick<Deps, 'sealer'>, row: ApiKeyRow): Promise<string> {
  return deps.sealer.open(row.secretSealed, sealContext(row.id))
}

export async function updateApiKey(
  deps: Deps,
  key: ApiKeyRow,
  input: ApiKeyInput,
): Promise<ApiKeyRow> {
  const [row] = await deps.db
    .update(schema.apiKeys)
    .set({ ...input, modifiedAt: deps.now() })
    .where(inTenant(schema.apiKeys, key.tenantId, key.id))
    .returning()
  if (!row) throw new EdgepassError('not_found', 'The API key no longer exists.')
  return row
}

export async function deleteApiKey(deps: Deps, key: ApiKeyRow): Promise<void> {
  await deps.db.delete(schema.apiKeys).where(inTenant(schema.apiKeys, key.tenantId, key.id))
}

/** Looks a key up by its id alone: the id is what a client presents, before any tenant is known. */
export async function findApiKey(
  deps: Pick<Deps, 'db'>,
  id: string,
): Promise<ApiKeyRow | undefined> {
  return deps.db.select().from(schema.apiKeys).where(eq(schema.apiKeys.id, id)).get()
}
