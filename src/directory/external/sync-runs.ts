/**
 * Sync runs: queued by `POST /v1/directories/{id}/sync` or the schedule, claimed by the sync
 * worker with a lease, finished with counts and a log. One directory never has two runs going:
 * a request while one is queued or running answers that run; a worker claims a run only while
 * no other run of its directory holds a live lease (and a crashed worker's lease lapses).
 */
import { and, asc, desc, eq, gt, lt, or, sql } from 'drizzle-orm'
import * as schema from '../../../db/schema'
import type { Deps } from '../../deps'
import { parseStoredSettings } from './settings'

export type SyncRunRow = typeof schema.directorySyncRuns.$inferSelect

/** How long a claim holds without renewal; the worker renews it while it works. */
export const LEASE_MS = 60_000

/** The run a directory has queued or running, if any. */
export async function activeRun(
  deps: Pick<Deps, 'db' | 'now'>,
  directoryId: string,
): Promise<SyncRunRow | undefined> {
  const { directorySyncRuns: r } = schema
  return deps.db
    .select()
    .from(r)
    .where(
      and(
        eq(r.directoryId, directoryId),
        or(eq(r.state, 'queued'), and(eq(r.state, 'running'), gt(r.leaseExpiresAt, deps.now()))),
      ),
    )
    .orderBy(desc(r.createdAt))
    .get()
}

/** Queues a run for `directory`, or answers the one already queued or running. */
export async function queueSync(
  deps: Pick<Deps, 'db' | 'now' | 'newId'>,
  directory: { id: string; tenantId: string },
  trigger: SyncRunRow['trigger'],
): Promise<SyncRunRow> {
  const existing = await activeRun(deps, directory.id)
  if (existing) return existing
  const [row] = await deps.db
    .insert(schema.directorySyncRuns)
    .values({
      id: deps.newId(),
      tenantId: directory.tenantId,
      directoryId: directory.id,
      trigger,
      state: 'queued',
      createdAt: deps.now(),
    })
    .returning()
  return row!
}

/**
 * Claims the oldest queued run whose directory has no run holding a live lease, in one
 * conditional update (two workers cannot both win it). Runs whose lease lapsed (a worker died)
 * are failed first, so their directory is free again.
 */
export async function claimNextRun(
  deps: Pick<Deps, 'db' | 'now'>,
): Promise<SyncRunRow | undefined> {
  const { directorySyncRuns: r } = schema
  const now = deps.now()
  await deps.db
    .update(r)
    .set({
      state: 'failed',
      finishedAt: now,
      log: sql`json_insert(${r.log}, '$[#]', json_object('kind', 'error', 'message', 'The sync worker stopped during the run.'))`,
    })
    .where(and(eq(r.state, 'running'), lt(r.leaseExpiresAt, now)))
  const candidates = await deps.db
    .select({ id: r.id, directoryId: r.directoryId })
    .from(r)
    .where(eq(r.state, 'queued'))
    .orderBy(asc(r.createdAt))
    .limit(10)
    .all()
  for (const candidate of candidates) {
    const [claimed] = await deps.db
      .update(r)
      .set({ state: 'running', startedAt: now, leaseExpiresAt: new Date(now.getTime() + LEASE_MS) })
      .where(
        and(
          eq(r.id, candidate.id),
          eq(r.state, 'queued'),
          sql`not exists (select 1 from directory_sync_runs as other where other.directory_id = ${candidate.directoryId} and other.state = 'running' and other.lease_expires_at > ${now.getTime()})`,
        ),
      )
      .returning()
    if (claimed) return claimed
  }
  return undefined
}

/** What a run has done so far (written while it goes, so pollers see progress). */
export interface RunProgress {
  total?: number
  processed?: number
  seen?: number
  created?: number
  updated?: number
  unchanged?: number
  missing?: number
  conflicts?: number
  groups?: number
}

export interface RunLogEntry {
  kind: 'conflict' | 'error' | 'skipped'
  message: string
  entry?: string
}

/** At most this many log lines are kept per run (a sync of a broken directory could log 10,000). */
export const MAX_LOG_ENTRIES = 200

/** Records progress and renews the lease. */
export async function reportProgress(
  deps: Pick<Deps, 'db' | 'now'>,
  runId: string,
  progress: RunProgress,
): Promise<void> {
  await deps.db
    .update(schema.directorySyncRuns)
    .set({ ...progress, leaseExpiresAt: new Date(deps.now().getTime() + LEASE_MS) })
    .where(eq(schema.directorySyncRuns.id, runId))
}

/** Ends a run: its final counts, state and log. */
export async function finishRun(
  deps: Pick<Deps, 'db' | 'now'>,
  runId: string,
  outcome: { state: 'succeeded' | 'failed'; progress: RunProgress; log: RunLogEntry[] },
): Promise<void> {
  await deps.db
    .update(schema.directorySyncRuns)
    .set({
      ...outcome.progress,
      state: outcome.state,
      finishedAt: deps.now(),
      leaseExpiresAt: null,
      log: JSON.stringify(outcome.log.slice(0, MAX_LOG_ENTRIES)),
    })
    .where(eq(schema.directorySyncRuns.id, runId))
}

/**
 * Queues a scheduled run for every external directory whose last run was created longer ago
 * than its `syncInterval` (or that never ran). Disabled directories are not synced.
 */
export async function queueDueSyncs(deps: Pick<Deps, 'db' | 'now' | 'newId'>): Promise<number> {
  const { directoryProviders: p, directories: d, directorySyncRuns: r } = schema
  const rows = await deps.db
    .select({
      directoryId: p.directoryId,
      tenantId: p.tenantId,
      settings: p.settings,
      last: sql<
        number | null
      >`(select max(${r.createdAt}) from ${r} where ${r.directoryId} = ${p.directoryId})`,
    })
    .from(p)
    .innerJoin(d, eq(d.id, p.directoryId))
    .where(and(eq(d.status, 'ENABLED'), eq(d.providerId, 'ldap')))
    .all()
  const now = deps.now().getTime()
  let queued = 0
  for (const row of rows) {
    const interval = parseStoredSettings(row.settings).syncIntervalSeconds * 1000
    if (row.last !== null && now - row.last < interval) continue
    await queueSync(deps, { id: row.directoryId, tenantId: row.tenantId }, 'schedule')
    queued++
  }
  return queued
}
