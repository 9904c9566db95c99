/**
 * The per-isolate (per-process on Bun) view of a tenant's signing keys: one snapshot of its key
 * rows, reloaded at most every {@link KEY_CACHE_TTL_MS}, plus the CryptoKeys imported from
 * them. Keys are imported once per isolate, not per request (RSA private key import and
 * unsealing are the expensive part of signing), and the hot path reads no row most of the time.
 *
 * Staleness is safe by construction: within the TTL an isolate may still sign with a key that
 * another isolate has just retired, and retired keys stay published for the retention period
 * plus this TTL (`keys-rotation.ts`). The signer and the JWKS an isolate serves come from the
 * same snapshot, so an isolate never signs with a key its own JWKS lacks.
 */
import type { CryptoKey as JoseCryptoKey, JWK } from 'jose'
import type { Database } from '../store/db'
import { loadTenantKeys, type PublishedKey } from './keys-store'

/** How long a snapshot of a tenant's keys is used before it is read again. */
export const KEY_CACHE_TTL_MS = 30_000

/** `Cache-Control: max-age` of the JWKS endpoints; a `next` key is published longer than this. */
export const JWKS_MAX_AGE_SECONDS = 300

/** A bound on the snapshots one isolate holds; the least recently loaded go first. */
const MAX_CACHED_TENANTS = 1000

export interface TenantKeySnapshot {
  keys: PublishedKey[]
  /** Imported private keys of active kids; carried over to the next snapshot while active. */
  privateKeys: Map<string, Promise<JoseCryptoKey | undefined>>
  /** Imported public keys by kid, for verifying our own tokens. */
  publicKeys: Map<string, Promise<JoseCryptoKey>>
  /** Rendered JWKS documents (`all`, `rsa`), built on first use. */
  jwks: Map<string, { keys: JWK[] }>
}

interface Entry {
  snapshot: Promise<TenantKeySnapshot>
  loadedAt: number
}

/** Per database handle: tests and runtimes with several databases never share keys. */
const caches = new WeakMap<Database, Map<string, Entry>>()

function entriesOf(db: Database): Map<string, Entry> {
  let entries = caches.get(db)
  if (!entries) caches.set(db, (entries = new Map()))
  return entries
}

/** Fresh within the TTL; a clock that went backwards (an injected test clock) means stale. */
function isFresh(entry: Entry, now: number): boolean {
  return now >= entry.loadedAt && now - entry.loadedAt < KEY_CACHE_TTL_MS
}

/**
 * The snapshot of `tenantId`'s keys: cached, or loaded (one indexed query, shared by concurrent
 * callers).
 *
 * @example
 * const { keys } = await tenantKeySnapshot(deps, tenant.id)
 */
export function tenantKeySnapshot(
  deps: { db: Database; now: () => Date },
  tenantId: string,
): Promise<TenantKeySnapshot> {
  const entries = entriesOf(deps.db)
  const now = deps.now().getTime()
  const entry = entries.get(tenantId)
  if (entry && isFresh(entry, now)) return entry.snapshot
  const previous = entry?.snapshot
  const snapshot = loadTenantKeys(deps.db, tenantId).then(async (keys) =>
    buildSnapshot(keys, await previous?.catch(() => undefined)),
  )
  entries.delete(tenantId) // re-inserted last: Map order is load order
  entries.set(tenantId, { snapshot, loadedAt: now })
  for (const key of entries.keys()) {
    if (entries.size <= MAX_CACHED_TENANTS) break
    entries.delete(key)
  }
  snapshot.catch(() => {
    if (entries.get(tenantId)?.snapshot === snapshot) entries.delete(tenantId)
  })
  return snapshot
}

/** Makes the next read of `tenantId`'s keys go to the database (after this isolate wrote them). */
export function forgetTenantKeys(db: Database, tenantId: string): void {
  const entry = entriesOf(db).get(tenantId)
  if (entry) entry.loadedAt = Number.NEGATIVE_INFINITY
}

function buildSnapshot(keys: PublishedKey[], previous?: TenantKeySnapshot): TenantKeySnapshot {
  const present = new Set(keys.map((key) => key.kid))
  const active = new Set(keys.filter((key) => key.state === 'active').map((key) => key.kid))
  return {
    keys,
    privateKeys: carry(previous?.privateKeys, active),
    publicKeys: carry(previous?.publicKeys, present),
    jwks: new Map(),
  }
}

/** The entries of `from` whose kid is in `keep`. */
function carry<T>(from: Map<string, T> | undefined, keep: Set<string>): Map<string, T> {
  return new Map([...(from ?? [])].filter(([kid]) => keep.has(kid)))
}

/**
 * Memoizes `load` under `key` in `map`; a failed load is forgotten so that the next call retries.
 */
export function memoize<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>) {
  let value = map.get(key)
  if (!value) {
    value = load()
    map.set(key, value)
    value.catch(() => {
      if (map.get(key) === value) map.delete(key)
    })
  }
  return value
}
