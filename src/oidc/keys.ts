/**
 * A tenant's signing keys as the OIDC endpoints use them (reference §1.3, §6.2): one active key
 * per algorithm signs, every `next`, `active` and `retired` key is published. Keys live in
 * `signing_keys` (private halves sealed with SECRET_KEY); this module serves them from the
 * per-isolate snapshot of `keys-cache.ts`, so signing usually reads no row and imports no key.
 *
 * @example
 * await ensureSigningKeys(deps, tenant.id)
 * const { kid, key } = await activeSigningKey(deps, tenant.id, 'RS256')
 * const jwks = await publicJwks(deps, tenant.id, { rsaOnly: true })
 */
import { importJWK, type CryptoKey as JoseCryptoKey, type JWK } from 'jose'
import type { Deps } from '../deps'
import type { Database } from '../store/db'
import { forgetTenantKeys, memoize, tenantKeySnapshot } from './keys-cache'
import {
  generateSigningKey,
  insertKeyUnlessPresent,
  openPrivateKey,
  publicJwkOf,
  SIGNING_ALGS,
  type PublishedKey,
  type SigningAlg,
} from './keys-store'

export { JWKS_MAX_AGE_SECONDS, KEY_CACHE_TTL_MS } from './keys-cache'
export {
  DEFAULT_ROTATION_POLICY,
  planRotation,
  rotateAllTenantsKeys,
  rotateSigningKeys,
  type RotationOptions,
  type RotationPolicy,
  type RotationStep,
  type RotationSummary,
} from './keys-rotation'
export { publicJwkOf, SIGNING_ALGS, type PublishedKey, type SigningAlg } from './keys-store'

/** What the key functions need from `deps`. */
export type KeyDeps = Pick<Deps, 'db' | 'sealer' | 'now'>

/** A key ready to use: its `kid` goes in the JOSE header (§1.3: on every JWS). */
export interface SigningKey {
  kid: string
  alg: SigningAlg
  key: JoseCryptoKey
}

/** Our kids are RFC 7638 SHA-256 thumbprints; other strings are not worth a database read. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

const STATE_ORDER = { active: 0, next: 1, retired: 2 } as const

/** The newest active key of `alg` (normally the only one). */
function activeKeyOf(keys: readonly PublishedKey[], alg: SigningAlg): PublishedKey | undefined {
  return keys
    .filter((key) => key.alg === alg && key.state === 'active')
    .sort((a, b) => (b.activatedAt?.getTime() ?? 0) - (a.activatedAt?.getTime() ?? 0))[0]
}

const missingAlgs = (keys: readonly PublishedKey[]) =>
  SIGNING_ALGS.filter((alg) => !activeKeyOf(keys, alg))

/** First-key creation in flight, per database and tenant: one RSA generation per isolate. */
const ensuring = new WeakMap<Database, Map<string, Promise<void>>>()

/**
 * Makes sure the tenant has an active key of every algorithm, creating the missing ones. Cheap
 * when they exist (the cached snapshot answers). Creation is the only RSA generation on a
 * request path — a new tenant's first JWKS fetch or token — unless the scheduled
 * {@link rotateAllTenantsKeys} got there first.
 *
 * Race-safe: concurrent callers in one isolate share one creation; across isolates each insert
 * is conditional on there being no active key of that alg (`keys-store.ts`), so exactly one
 * lands and the others' keys are dropped unstored.
 *
 * @example
 * await ensureSigningKeys(deps, c.get('tenant').id)
 */
export async function ensureSigningKeys(deps: KeyDeps, tenantId: string): Promise<void> {
  if (missingAlgs((await tenantKeySnapshot(deps, tenantId)).keys).length === 0) return
  let inFlight = ensuring.get(deps.db)
  if (!inFlight) ensuring.set(deps.db, (inFlight = new Map()))
  let pending = inFlight.get(tenantId)
  if (!pending) {
    pending = createMissingKeys(deps, tenantId).finally(() => inFlight.delete(tenantId))
    inFlight.set(tenantId, pending)
  }
  return pending
}

async function createMissingKeys(deps: KeyDeps, tenantId: string): Promise<void> {
  // The snapshot may be up to a TTL old: look again before paying for an RSA key.
  forgetTenantKeys(deps.db, tenantId)
  const missing = missingAlgs((await tenantKeySnapshot(deps, tenantId)).keys)
  await Promise.all(
    missing.map(async (alg) =>
      insertKeyUnlessPresent(deps.db, await generateSigningKey(deps, tenantId, alg, 'active')),
    ),
  )
  forgetTenantKeys(deps.db, tenantId)
}

/**
 * The key that signs for `alg` now: the newest active key (§1.3), its private half unsealed and
 * imported once per isolate. Creates the tenant's keys on first use.
 *
 * @example
 * const { kid, key } = await activeSigningKey(deps, tenant.id, client.idTokenSignedResponseAlg)
 */
export async function activeSigningKey(
  deps: KeyDeps,
  tenantId: string,
  alg: SigningAlg,
): Promise<SigningKey> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const snapshot = await tenantKeySnapshot(deps, tenantId)
    const active = activeKeyOf(snapshot.keys, alg)
    if (!active) {
      await ensureSigningKeys(deps, tenantId)
      continue
    }
    const key = await memoize(snapshot.privateKeys, active.kid, () =>
      openPrivateKey(deps, active.kid),
    )
    if (key) return { kid: active.kid, alg, key }
    forgetTenantKeys(deps.db, tenantId) // deleted since the snapshot was taken
  }
  throw new Error(`tenant ${tenantId} has no usable ${alg} signing key`)
}

/**
 * The tenant's JWK Set (RFC 7517 §5): every published key, public members only, each with
 * `kid`, `alg` and `use: 'sig'`; active keys first, RS256 first, for relying parties that
 * naively take the first key. `rsaOnly` keeps only `kty: RSA` keys, for RPs that fail on an
 * OKP key (§6.1). The object is shared by every caller until the snapshot expires: do not
 * mutate it.
 *
 * @example
 * await publicJwks(deps, tenant.id, { rsaOnly: true }) // { keys: [{ kty: 'RSA', … }] }
 */
export async function publicJwks(
  deps: Pick<Deps, 'db' | 'now'>,
  tenantId: string,
  options: { rsaOnly?: boolean } = {},
): Promise<{ keys: JWK[] }> {
  const snapshot = await tenantKeySnapshot(deps, tenantId)
  const variant = options.rsaOnly ? 'rsa' : 'all'
  let jwks = snapshot.jwks.get(variant)
  if (!jwks) {
    const keys = [...snapshot.keys]
      .filter((key) => !options.rsaOnly || key.alg === 'RS256')
      .sort(
        (a, b) =>
          STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
          SIGNING_ALGS.indexOf(a.alg) - SIGNING_ALGS.indexOf(b.alg) ||
          b.createdAt.getTime() - a.createdAt.getTime(),
      )
      .map(publicJwkOf)
    jwks = { keys }
    snapshot.jwks.set(variant, jwks)
  }
  return jwks
}

/**
 * The public key `kid` among the tenant's published keys, for verifying a token we issued
 * (`id_token_hint`). A kid the snapshot lacks may be a key another isolate just created, so a
 * well-formed one is looked up once more in the database before giving up.
 *
 * @example
 * const found = await verificationKey(deps, tenant.id, header.kid)
 */
export async function verificationKey(
  deps: Pick<Deps, 'db' | 'now'>,
  tenantId: string,
  kid: string,
): Promise<SigningKey | undefined> {
  let snapshot = await tenantKeySnapshot(deps, tenantId)
  let found = snapshot.keys.find((key) => key.kid === kid)
  if (!found && THUMBPRINT.test(kid)) {
    forgetTenantKeys(deps.db, tenantId)
    snapshot = await tenantKeySnapshot(deps, tenantId)
    found = snapshot.keys.find((key) => key.kid === kid)
  }
  if (!found) return undefined
  const { alg } = found
  const key = await memoize(
    snapshot.publicKeys,
    kid,
    async () => (await importJWK(publicJwkOf(found), alg)) as JoseCryptoKey,
  )
  return { kid, alg, key }
}
