/**
 * Key rotation (reference §6.2): `next` (published, not signing) → `active` (signs; one per
 * alg) → `retired` (published, not signing) → deleted.
 *
 * A pure planner decides what is due from the key rows and the clock; a small executor applies
 * the steps with the race-safe writes of `keys-store.ts`. Running it twice, or on two isolates at
 * once, is harmless: every write re-checks its precondition in the database.
 */
import * as schema from '../../db/schema'
import type { Deps } from '../deps'
import { describeError } from '../log'
import { runBatch } from '../store/db'
import { forgetTenantKeys, JWKS_MAX_AGE_SECONDS, KEY_CACHE_TTL_MS } from './keys-cache'
import {
  deleteRetiredStatement,
  generateSigningKey,
  insertKeyUnlessPresent,
  loadAllKeys,
  loadTenantKeys,
  promoteStatements,
  replaceStatements,
  SIGNING_ALGS,
  type KeyState,
  type PublishedKey,
  type SigningAlg,
} from './keys-store'

const HOUR_MS = 3600_000
const DAY_MS = 24 * HOUR_MS

export interface RotationPolicy {
  /** How long a key signs before its successor takes over. Default 30 days. */
  rotationPeriodMs: number
  /**
   * How long a `next` key is published before it may sign, so that relying parties have it in
   * their cached JWKS (§6.2 item 2). At least the JWKS `max-age` plus {@link KEY_CACHE_TTL_MS};
   * default 1 day, because many RP libraries keep a JWKS for a day whatever `Cache-Control` says.
   */
  publicationDelayMs: number
  /**
   * The longest lifetime of a token signed by a key: a retired key stays published this long
   * (plus {@link KEY_CACHE_TTL_MS}, during which other isolates may still sign with it). ID and
   * access tokens live 1 h by default (`oidc_clients`); the default, 1 day, covers clients that
   * raise their TTL up to a day. Pass a larger value if a client's ID tokens live longer.
   */
  retentionMs: number
}

export const DEFAULT_ROTATION_POLICY: RotationPolicy = {
  rotationPeriodMs: 30 * DAY_MS,
  publicationDelayMs: DAY_MS,
  retentionMs: DAY_MS,
}

/** The shortest publication delay that still lets every RP cache and isolate see a `next` key. */
export const MIN_PUBLICATION_DELAY_MS = JWKS_MAX_AGE_SECONDS * 1000 + KEY_CACHE_TTL_MS

/** One change the planner wants; the executor applies each with its own guard. */
export type RotationStep =
  /** A new key, stored only if the tenant has none of that alg in that state yet. */
  | { kind: 'create'; alg: SigningAlg; state: Extract<KeyState, 'active' | 'next'> }
  /** The published `next` key signs from now on; the active one retires. */
  | { kind: 'promote'; alg: SigningAlg; kid: string }
  /** Forced: a fresh key signs at once; the active one retires. */
  | { kind: 'replace'; alg: SigningAlg }
  /** A retired key whose last token has expired. */
  | { kind: 'delete'; kid: string }

export interface RotationOptions extends Partial<RotationPolicy> {
  /**
   * Emergency rotation: a fresh key signs at once, without being published ahead, so RPs with
   * a cached JWKS fail until they refetch it. The old key retires as usual and keeps verifying;
   * if it is compromised, delete its row instead, so that tokens forged with it stop verifying.
   */
  force?: boolean
}

const timeOf = (date: Date | null | undefined) => date?.getTime() ?? 0

/**
 * What is due for one tenant's keys at `now`, per alg: a missing active key (promoting a
 * published `next` one when there is one), a promotion once the active key is older than the
 * rotation period and the `next` key has been published long enough, a `next` key whenever
 * there is none, and the deletion of retired keys past `deleteAfter`.
 *
 * @example
 * planRotation(keys, now, DEFAULT_ROTATION_POLICY, false)
 * // [{ kind: 'create', alg: 'RS256', state: 'next' }, { kind: 'create', alg: 'EdDSA', state: 'next' }]
 */
export function planRotation(
  keys: readonly PublishedKey[],
  now: Date,
  policy: RotationPolicy,
  force: boolean,
): RotationStep[] {
  const steps: RotationStep[] = []
  const at = now.getTime()
  for (const alg of SIGNING_ALGS) {
    const ofAlg = keys.filter((key) => key.alg === alg)
    const active = ofAlg
      .filter((key) => key.state === 'active')
      .sort((a, b) => timeOf(b.activatedAt) - timeOf(a.activatedAt))[0]
    const next = ofAlg
      .filter((key) => key.state === 'next')
      .sort((a, b) => timeOf(a.createdAt) - timeOf(b.createdAt))[0]
    const due =
      next !== undefined &&
      active !== undefined &&
      at - timeOf(active.activatedAt ?? active.createdAt) >= policy.rotationPeriodMs &&
      at - timeOf(next.createdAt) >= policy.publicationDelayMs
    let nextUsed = false
    if (force) steps.push({ kind: 'replace', alg })
    else if (next && (!active || due)) {
      steps.push({ kind: 'promote', alg, kid: next.kid })
      nextUsed = true
    } else if (!active) steps.push({ kind: 'create', alg, state: 'active' })
    if (!next || nextUsed) steps.push({ kind: 'create', alg, state: 'next' })
  }
  for (const key of keys) {
    if (key.state === 'retired' && key.deleteAfter && timeOf(key.deleteAfter) <= at) {
      steps.push({ kind: 'delete', kid: key.kid })
    }
  }
  return steps
}

function policyOf(options: RotationOptions): RotationPolicy {
  const policy = {
    rotationPeriodMs: options.rotationPeriodMs ?? DEFAULT_ROTATION_POLICY.rotationPeriodMs,
    publicationDelayMs: options.publicationDelayMs ?? DEFAULT_ROTATION_POLICY.publicationDelayMs,
    retentionMs: options.retentionMs ?? DEFAULT_ROTATION_POLICY.retentionMs,
  }
  if (policy.publicationDelayMs < MIN_PUBLICATION_DELAY_MS) {
    throw new RangeError(`publicationDelayMs must be at least ${MIN_PUBLICATION_DELAY_MS}`)
  }
  return policy
}

async function applySteps(
  deps: Pick<Deps, 'db' | 'sealer'>,
  tenantId: string,
  steps: readonly RotationStep[],
  now: Date,
  policy: RotationPolicy,
): Promise<void> {
  const clock = { sealer: deps.sealer, now: () => now }
  // Other isolates may sign with a just-retired key until their snapshot expires.
  const retention = policy.retentionMs + KEY_CACHE_TTL_MS
  for (const step of steps) {
    switch (step.kind) {
      case 'create':
        await insertKeyUnlessPresent(
          deps.db,
          await generateSigningKey(clock, tenantId, step.alg, step.state),
        )
        break
      case 'promote':
        await runBatch(deps.db, promoteStatements(deps.db, { ...step, tenantId }, now, retention))
        break
      case 'replace': {
        const fresh = await generateSigningKey(clock, tenantId, step.alg, 'active')
        await runBatch(deps.db, replaceStatements(deps.db, fresh, now, retention))
        break
      }
      case 'delete':
        await runBatch(deps.db, [deleteRetiredStatement(deps.db, step.kid, now)])
        break
    }
  }
  forgetTenantKeys(deps.db, tenantId)
}

/**
 * Rotates one tenant's keys as {@link planRotation} says (creating its first keys too), and
 * returns the steps taken. The isolate that rotates signs with the new key at once; others
 * within {@link KEY_CACHE_TTL_MS}.
 *
 * @example
 * await rotateSigningKeys(deps, tenant.id)                 // what is due on the schedule
 * await rotateSigningKeys(deps, tenant.id, { force: true }) // compromised key: replace now
 */
export async function rotateSigningKeys(
  deps: Pick<Deps, 'db' | 'sealer' | 'now'>,
  tenantId: string,
  options: RotationOptions = {},
): Promise<RotationStep[]> {
  const policy = policyOf(options)
  const now = deps.now()
  const steps = planRotation(
    await loadTenantKeys(deps.db, tenantId),
    now,
    policy,
    options.force ?? false,
  )
  await applySteps(deps, tenantId, steps, now, policy)
  return steps
}

export interface RotationSummary {
  tenants: number
  /** Tenants whose keys changed. */
  rotated: number
  /** Tenants whose rotation failed (logged; retried on the next run). */
  failed: number
}

/**
 * The scheduled job: every tenant's keys, ensured and rotated. One query reads every tenant's
 * key rows; only tenants with something due are written to, so running it every few minutes
 * costs two reads. A tenant that fails is logged and does not stop the others.
 *
 * @example
 * // Workers `scheduled`, and a periodic task on Bun:
 * ctx.waitUntil(rotateAllTenantsKeys(deps))
 */
export async function rotateAllTenantsKeys(
  deps: Pick<Deps, 'db' | 'sealer' | 'now' | 'log'>,
  options: Omit<RotationOptions, 'force'> = {},
): Promise<RotationSummary> {
  const policy = policyOf(options)
  const now = deps.now()
  const tenants = await deps.db.select({ id: schema.tenants.id }).from(schema.tenants)
  const byTenant = new Map<string, PublishedKey[]>()
  for (const key of await loadAllKeys(deps.db)) {
    byTenant.set(key.tenantId, [...(byTenant.get(key.tenantId) ?? []), key])
  }
  const summary: RotationSummary = { tenants: tenants.length, rotated: 0, failed: 0 }
  for (const { id } of tenants) {
    const steps = planRotation(byTenant.get(id) ?? [], now, policy, false)
    if (steps.length === 0) continue
    try {
      await applySteps(deps, id, steps, now, policy)
      summary.rotated++
      deps.log.info('signing keys rotated', { tenantId: id, steps: describeSteps(steps) })
    } catch (error) {
      summary.failed++
      deps.log.error('signing key rotation failed', { tenantId: id, ...describeError(error) })
    }
  }
  return summary
}

function describeSteps(steps: readonly RotationStep[]): string {
  return steps
    .map((step) => (step.kind === 'delete' ? `delete ${step.kid}` : `${step.kind} ${step.alg}`))
    .join(', ')
}
