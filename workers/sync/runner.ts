export { runQueuedSyncs }

/**
 * The sync worker's loop: every poll it claims queued runs (manual ones from
 * `POST /v1/directories/{id}/sync`, and scheduled ones it queues when a directory's
 * `syncInterval` has passed) and runs them one at a time, renewing each run's lease while the
 * server is searched, so a second worker never takes a run that is still going.
 */
import type { Deps } from '../../src/deps'
import { describeError } from '../../src/log'
import { runQueuedSyncs } from '../../src/directory/external/runner'
import { queueDueSyncs } from '../../src/directory/external/sync-runs'
import type { ExternalDirectoryClient } from '../../src/directory/external/source'

export interface SyncLoop {
  stop(): Promise<void>
}

/**
 * Polls every `pollMs` (default 1 s): queues scheduled runs (at most once a minute), then runs
 * what is queued. Errors are logged and the loop goes on.
 */
export function startSyncLoop(
  deps: Deps,
  client: ExternalDirectoryClient,
  options: { pollMs?: number } = {},
): SyncLoop {
  let stopped = false
  let lastSchedule = 0
  let current: Promise<void> = Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | undefined
  const tick = async () => {
    try {
      if (Date.now() - lastSchedule >= 60_000) {
        lastSchedule = Date.now()
        await queueDueSyncs(deps)
      }
      await runQueuedSyncs(deps, client)
    } catch (error) {
      deps.log.error('sync loop failed', describeError(error))
    }
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      current = tick().finally(schedule)
    }, options.pollMs ?? 1000)
  }
  current = tick().finally(schedule)
  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await current
    },
  }
}
