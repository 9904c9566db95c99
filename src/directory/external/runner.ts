/**
 * Runs the queued syncs of external directories, one at a time, renewing each run's lease while
 * its server is searched so that no other worker takes a run that is still going. Used by the
 * sync worker's loop (Bun) and by the Worker's cron trigger (through the sync worker's endpoint).
 */
import type { Deps } from '../../deps'
import type { ExternalDirectoryClient } from './source'
import { executeSyncRun } from './sync'
import { claimNextRun, LEASE_MS, reportProgress } from './sync-runs'

/** Runs every claimable run now; answers how many ran. */
export async function runQueuedSyncs(deps: Deps, client: ExternalDirectoryClient): Promise<number> {
  let ran = 0
  for (let run = await claimNextRun(deps); run; run = await claimNextRun(deps)) {
    const claimed = run
    // The search itself can take longer than a lease: keep it alive until the run ends.
    const renew = setInterval(() => {
      void reportProgress(deps, claimed.id, {}).catch(() => {})
    }, LEASE_MS / 3)
    try {
      deps.log.info('directory sync started', {
        runId: claimed.id,
        directoryId: claimed.directoryId,
      })
      await executeSyncRun(deps, client, claimed)
      deps.log.info('directory sync finished', { runId: claimed.id })
    } finally {
      clearInterval(renew)
    }
    ran++
  }
  return ran
}
