/**
 * Signing keys at rest (reference §6.2): generation, sealing and the race-safe writes that keep
 * at most one `active` and one `next` key per tenant and algorithm.
 *
 * D1 has no interactive transactions and the schema has no unique partial index, so "at most
 * one" rests on two properties of SQLite instead: a single statement is atomic, and a batch is
 * all-or-nothing. Inserts are conditional (`INSERT … SELECT … WHERE NOT EXISTS`), so of two
 * requests racing to create a tenant's first key exactly one row lands; the loser's key was
 * never stored, never published and never signed anything, so it is simply dropped.
 */
import { and, eq, exists, getTableColumns, lte, ne, sql, type SQL } from 'drizzle-orm'
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type CryptoKey as JoseCryptoKey,
} from 'jose'
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import type { BatchStatement, Database } from '../store/db'
import type { SigningKeyRow } from '../store/rows'

/** The algorithms a tenant signs with: RS256 for everyone, EdDSA for opt-in clients (§1.3, §6.1). */
export type SigningAlg = SigningKeyRow['alg']
export type KeyState = SigningKeyRow['state']

export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'EdDSA']

/** A key row without its sealed private half: what caches and listings hold. */
export type PublishedKey = Omit<SigningKeyRow, 'privateJwkSealed'>

type NewKeyRow = typeof schema.signingKeys.$inferInsert

const { signingKeys } = schema

/** The public members per key type (RFC 7518 §6.3.1, RFC 8037 §2); everything else is dropped. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e'],
  OKP: ['kty', 'crv', 'x'],
}

/**
 * The JWK a relying party may see: the public members of the key type plus `kid`, `alg` and
 * `use`. A whitelist, not a blacklist, so no private member (`d`, `p`, `q`, …) can leak even
 * from a malformed row.
 *
 * @example
 * publicJwkOf(row) // { kty: 'OKP', crv: 'Ed25519', x: '…', kid: '…', alg: 'EdDSA', use: 'sig' }
 */
export function publicJwkOf(key: Pick<PublishedKey, 'kid' | 'alg' | 'publicJwk'>): JWK {
  const stored = JSON.parse(key.publicJwk) as Record<string, unknown>
  const jwk: Record<string, unknown> = {}
  for (const member of PUBLIC_MEMBERS[String(stored.kty)] ?? []) jwk[member] = stored[member]
  return { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' } as JWK
}

/**
 * A fresh key pair as a row: `kid` is the key's RFC 7638 thumbprint (unique, and stable for the
 * key's life, so an RP's cache never sees one kid with two keys), the private JWK sealed under
 * `signing-key:<kid>`. RSA-2048 generation costs ~80 ms (§6.2 item 5): callers keep it off the
 * request path except for a tenant's very first key.
 *
 * @example
 * const row = await generateSigningKey(deps, tenant.id, 'EdDSA', 'next')
 */
export async function generateSigningKey(
  deps: Pick<Deps, 'sealer' | 'now'>,
  tenantId: string,
  alg: SigningAlg,
  state: KeyState,
): Promise<NewKeyRow> {
  const pair =
    alg === 'RS256'
      ? await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
      : await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })
  const publicJwk = await exportJWK(pair.publicKey)
  const kid = await calculateJwkThumbprint(publicJwk)
  const privateJwk = await exportJWK(pair.privateKey)
  const now = deps.now()
  return {
    kid,
    tenantId,
    alg,
    state,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    privateJwkSealed: await deps.sealer.seal(JSON.stringify(privateJwk), sealContext(kid)),
    createdAt: now,
    activatedAt: state === 'active' ? now : null,
    retiredAt: null,
    deleteAfter: null,
  }
}

/** The additional data a private key is sealed under: a sealed key copied to another row fails. */
function sealContext(kid: string): string {
  return `signing-key:${kid}`
}

/** `SELECT 1 … WHERE` the tenant has a key of `alg` in `state`. */
function keyInState(db: Database, tenantId: string, alg: SigningAlg, state: KeyState): SQL {
  return exists(
    db
      .select({ one: sql`1` })
      .from(signingKeys)
      .where(
        and(
          eq(signingKeys.tenantId, tenantId),
          eq(signingKeys.alg, alg),
          eq(signingKeys.state, state),
        ),
      ),
  )
}

/**
 * Inserts `row` unless the tenant already has a key of its alg in its state, in one statement
 * (see the module comment). Returns whether the row was stored.
 *
 * @example
 * if (!(await insertKeyUnlessPresent(deps.db, row))) {
 *   // another request created the key first: use theirs
 * }
 */
export async function insertKeyUnlessPresent(db: Database, row: NewKeyRow): Promise<boolean> {
  const columns = Object.entries(getTableColumns(signingKeys))
  const values = sql.join(
    columns.map(([name, column]) => {
      const value = row[name as keyof NewKeyRow]
      return value === null || value === undefined ? sql`null` : sql.param(value, column)
    }),
    sql`, `,
  )
  const absent = sql`not ${keyInState(db, row.tenantId, row.alg, row.state)}`
  const stored = await db
    .insert(signingKeys)
    .select(sql`select ${values} where ${absent}`)
    .returning({ kid: signingKeys.kid })
  return stored.length > 0
}

/** What retiring a key writes: published until `deleteAfter`, never signing again. */
function retiredAt(now: Date, retentionMs: number) {
  return {
    state: 'retired' as const,
    retiredAt: now,
    deleteAfter: new Date(now.getTime() + retentionMs),
  }
}

/**
 * Statements that make `next` (a published `next` key) the tenant's active key of its alg and
 * retire the previous one. Both are guarded by "`next` is still `next`", so two rotations
 * racing, or one racing a forced rotation, never leave zero or two active keys.
 */
export function promoteStatements(
  db: Database,
  key: Pick<PublishedKey, 'kid' | 'tenantId' | 'alg'>,
  now: Date,
  retentionMs: number,
): [BatchStatement, BatchStatement] {
  const stillNext = exists(
    db
      .select({ one: sql`1` })
      .from(signingKeys)
      .where(and(eq(signingKeys.kid, key.kid), eq(signingKeys.state, 'next'))),
  )
  return [
    db
      .update(signingKeys)
      .set(retiredAt(now, retentionMs))
      .where(
        and(
          eq(signingKeys.tenantId, key.tenantId),
          eq(signingKeys.alg, key.alg),
          eq(signingKeys.state, 'active'),
          ne(signingKeys.kid, key.kid),
          stillNext,
        ),
      ),
    db
      .update(signingKeys)
      .set({ state: 'active', activatedAt: now })
      .where(and(eq(signingKeys.kid, key.kid), eq(signingKeys.state, 'next'))),
  ]
}

/**
 * Statements that retire every active key of `row.alg` and store `row` (state `active`) in its
 * place: a forced rotation, one batch, so exactly one active key remains.
 */
export function replaceStatements(
  db: Database,
  row: NewKeyRow,
  now: Date,
  retentionMs: number,
): [BatchStatement, BatchStatement] {
  return [
    db
      .update(signingKeys)
      .set(retiredAt(now, retentionMs))
      .where(
        and(
          eq(signingKeys.tenantId, row.tenantId),
          eq(signingKeys.alg, row.alg),
          eq(signingKeys.state, 'active'),
        ),
      ),
    db.insert(signingKeys).values(row),
  ]
}

/** Deletes a retired key once its last token has expired (the guard re-checks both). */
export function deleteRetiredStatement(db: Database, kid: string, now: Date): BatchStatement {
  return db
    .delete(signingKeys)
    .where(
      and(
        eq(signingKeys.kid, kid),
        eq(signingKeys.state, 'retired'),
        lte(signingKeys.deleteAfter, now),
      ),
    )
}

const PUBLISHED_COLUMNS = (() => {
  const { privateJwkSealed: _sealed, ...columns } = getTableColumns(signingKeys)
  return columns
})()

/** Every key of a tenant (all states are published), without the sealed private halves. */
export async function loadTenantKeys(db: Database, tenantId: string): Promise<PublishedKey[]> {
  return db.select(PUBLISHED_COLUMNS).from(signingKeys).where(eq(signingKeys.tenantId, tenantId))
}

/** Every tenant's keys, for the scheduled rotation's one-query overview. */
export async function loadAllKeys(db: Database): Promise<PublishedKey[]> {
  return db.select(PUBLISHED_COLUMNS).from(signingKeys)
}

/**
 * The private key of `kid`, unsealed and imported as a non-extractable CryptoKey. Undefined when
 * the key is gone (deleted since the caller looked).
 *
 * @throws SealError when the sealed value does not open (another SECRET_KEY, tampering).
 */
export async function openPrivateKey(
  deps: Pick<Deps, 'db' | 'sealer'>,
  kid: string,
): Promise<JoseCryptoKey | undefined> {
  const row = await deps.db
    .select({ alg: signingKeys.alg, sealed: signingKeys.privateJwkSealed })
    .from(signingKeys)
    .where(eq(signingKeys.kid, kid))
    .get()
  if (!row) return undefined
  const jwk = JSON.parse(await deps.sealer.open(row.sealed, sealContext(kid))) as JWK
  return (await importJWK(jwk, row.alg, { extractable: false })) as JoseCryptoKey
}
