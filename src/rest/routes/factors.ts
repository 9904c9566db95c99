/**
 * Second factors through `/v1` (stormpath-api reference §11.4; Cloudpass's factors and
 * challenges): an administrator enrols a `google-authenticator` factor for an account, which
 * the account's user confirms with a first code through a challenge; factors can be disabled
 * and deleted. Challenges are the Stormpath way to check a code: `POST /factors/{id}/challenges
 * {code}` creates and verifies in one call, `POST /challenges/{id} {code}` verifies a created one.
 *
 * - `GET|POST /accounts/{id}/factors`
 * - `GET|POST|DELETE /factors/{id}`, `GET|POST /factors/{id}/challenges`
 * - `GET|POST /challenges/{id}`
 */
import { and, eq } from 'drizzle-orm'
import * as v from 'valibot'
import * as schema from '../../../db/schema'
import { EdgepassError } from '../../errors'
import {
  checkTotpFactor,
  enrolTotp,
  limitSecondFactorAttempts,
  removeFactor,
} from '../../mfa/factors'
import type { MfaChallengeRow, MfaFactorRow } from '../../store/rows'
import { readJsonObject } from '../body'
import { readFields } from '../fields'
import { listCollection, rendererFor } from '../views/core'
import { accountView } from '../views/directory'
import { challengeSource, challengeView, factorView } from '../views/factors'
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

/** How long a created challenge waits for its code. */
const CHALLENGE_TTL_MS = 5 * 60_000
const text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max))
const factorFields = {
  type: v.literal('google-authenticator'),
  accountName: text(255),
  issuer: text(255),
  status: v.picklist(['ENABLED', 'DISABLED']),
}
const challengeFields = { code: v.pipe(v.string(), v.maxLength(64)) }

export function factorRoutes(app: RestApp, r: RouteDeps): void {
  const loadAccount = (c: RestContext) =>
    mustFind(scope(c, r), schema.accounts, c.req.param('id')!, 'account')
  const loadFactor = (c: RestContext) =>
    mustFind(scope(c, r), schema.mfaFactors, c.req.param('id')!, 'factor')
  const loadChallenge = (c: RestContext) =>
    mustFind(scope(c, r), schema.mfaChallenges, c.req.param('id')!, 'challenge')

  resource(app, '/accounts/:id/factors', {
    get: async (c) => {
      const account = await loadAccount(c)
      const link = accountView.links.factors!
      if (link.kind !== 'collection') throw new Error('factors is a collection')
      return c.json(await link.list(scope(c, r), account, queryOf(c)))
    },
    post: async (c) => {
      const account = await loadAccount(c)
      const s = scope(c, r)
      const input = readFields(await readJsonObject(c), factorFields)
      if (input.type === undefined) {
        throw new EdgepassError('required', 'type is required.', { field: 'type' })
      }
      const tenant = await r.deps.db
        .select({ name: schema.tenants.name })
        .from(schema.tenants)
        .where(eq(schema.tenants.id, s.tenantId))
        .get()
      const { factor } = await enrolTotp(r.deps, {
        tenantId: s.tenantId,
        accountId: account.id,
        accountName: input.accountName ?? account.username,
        issuer: input.issuer ?? tenant?.name ?? 'Edgepass',
      })
      const row =
        input.status === 'DISABLED' ? await setFactorStatus(r, factor, 'DISABLED') : factor
      return created(c, await rendererFor(s, factorView, queryOf(c))(row))
    },
  })

  resource(app, '/factors/:id', {
    get: async (c) =>
      c.json(await rendererFor(scope(c, r), factorView, queryOf(c))(await loadFactor(c))),
    post: async (c) => {
      const factor = await loadFactor(c)
      const input = readFields(await readJsonObject(c), { status: factorFields.status })
      const row = input.status ? await setFactorStatus(r, factor, input.status) : factor
      return c.json(await rendererFor(scope(c, r), factorView, queryOf(c))(row))
    },
    delete: async (c) => {
      await removeFactor(r.deps, await loadFactor(c))
      return c.body(null, 204)
    },
  })

  resource(app, '/factors/:id/challenges', {
    get: async (c) => {
      const factor = await loadFactor(c)
      const s = scope(c, r)
      const where = eq(schema.mfaChallenges.factorId, factor.id)
      const href = r.hrefs.of('factors', factor.id, 'challenges')
      return c.json(await listCollection(s, href, challengeSource, where, queryOf(c)))
    },
    post: async (c) => {
      const factor = await loadFactor(c)
      const input = readFields(await readJsonObject(c), challengeFields)
      const now = r.deps.now()
      let challenge: MfaChallengeRow = {
        id: r.deps.newId(),
        tenantId: factor.tenantId,
        factorId: factor.id,
        accountId: factor.accountId,
        status: 'CREATED',
        expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
        createdAt: now,
        modifiedAt: now,
      }
      await r.deps.db.insert(schema.mfaChallenges).values(challenge)
      if (input.code !== undefined) challenge = await answer(r, factor, challenge, input.code)
      return created(c, await rendererFor(scope(c, r), challengeView, queryOf(c))(challenge))
    },
  })

  resource(app, '/challenges/:id', {
    get: async (c) =>
      c.json(await rendererFor(scope(c, r), challengeView, queryOf(c))(await loadChallenge(c))),
    post: async (c) => {
      const challenge = await loadChallenge(c)
      const input = readFields(await readJsonObject(c), challengeFields)
      if (input.code === undefined) {
        throw new EdgepassError('required', 'code is required.', { field: 'code' })
      }
      const factor = await mustFind(scope(c, r), schema.mfaFactors, challenge.factorId, 'factor')
      const row = await answer(r, factor, challenge, input.code)
      return c.json(await rendererFor(scope(c, r), challengeView, queryOf(c))(row))
    },
  })
}

/**
 * Checks a challenge's code once: SUCCESS (and the factor VERIFIED) or FAILED; a challenge
 * already answered or expired is refused, as the Node SDK's `Challenge.verifyCode` expects.
 * Codes are rate limited per account, as at sign-in.
 */
async function answer(
  r: RouteDeps,
  factor: MfaFactorRow,
  challenge: MfaChallengeRow,
  code: string,
): Promise<MfaChallengeRow> {
  if (challenge.status !== 'CREATED' || challenge.expiresAt <= r.deps.now()) {
    throw new EdgepassError(
      'invalid_value',
      'The challenge has already been answered or has expired.',
      {
        field: 'code',
      },
    )
  }
  if (factor.status !== 'ENABLED') {
    throw new EdgepassError('invalid_value', 'The factor is disabled.', { field: 'factor' })
  }
  await limitSecondFactorAttempts(r.deps, factor.tenantId, factor.accountId)
  const check = await checkTotpFactor(r.deps, factor, code.trim())
  const status = check.kind === 'accepted' ? 'SUCCESS' : 'FAILED'
  const { mfaChallenges: ch } = schema
  const [row] = await r.deps.db
    .update(ch)
    .set({ status, modifiedAt: r.deps.now() })
    .where(and(eq(ch.id, challenge.id), eq(ch.status, 'CREATED')))
    .returning()
  if (!row) {
    throw new EdgepassError('invalid_value', 'The challenge has already been answered.', {
      field: 'code',
    })
  }
  return row
}

async function setFactorStatus(
  r: RouteDeps,
  factor: MfaFactorRow,
  status: 'ENABLED' | 'DISABLED',
): Promise<MfaFactorRow> {
  const { mfaFactors: f } = schema
  const [row] = await r.deps.db
    .update(f)
    .set({ status, modifiedAt: r.deps.now() })
    .where(eq(f.id, factor.id))
    .returning()
  return row ?? factor
}
