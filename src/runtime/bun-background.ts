/**
 * Work that outlives a request on Bun: what Workers give through `ctx.waitUntil` and cron
 * triggers, done in-process so `npm start` needs nothing beside it.
 */
import type { ExecutionContext } from 'hono'

export interface BackgroundWork {
  /** Handed to `app.fetch`, so handlers reach `c.executionCtx.waitUntil` as on Workers. */
  context: ExecutionContext
  /** Resolves once every promise given to `waitUntil` so far has settled, or after `maxMs`. */
  settled(maxMs: number): Promise<void>
}

/**
 * Tracks what handlers pass to `waitUntil`, so shutdown can wait for it before closing the
 * database under it.
 *
 * @example
 * const background = trackBackgroundWork()
 * Bun.serve({ fetch: (request) => app.fetch(request, {}, background.context) })
 * // on SIGTERM, after server.stop():
 * await background.settled(10_000)
 */
export function trackBackgroundWork(): BackgroundWork {
  const pending = new Set<Promise<unknown>>()
  return {
    context: {
      waitUntil(promise) {
        // Only completion matters here; the work reports its own failures.
        const tracked: Promise<unknown> = promise
          .catch(() => undefined)
          .finally(() => pending.delete(tracked))
        pending.add(tracked)
      },
      // Workers' fallback to the origin on an exception; a server has no origin behind it.
      passThroughOnException() {},
      props: {},
    },
    async settled(maxMs) {
      let timer: Timer | undefined
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxMs)
      })
      await Promise.race([Promise.all(pending), timeout])
      clearTimeout(timer)
    },
  }
}

export interface Periodic {
  /** No further runs; resolves when the one in progress, if any, has finished. */
  stop(): Promise<void>
}

/**
 * Runs `task` at once and then every `intervalMs`, skipping a beat while the previous run is
 * still going (a slow Resend must not pile up senders). `task` logs its own failures. The timer is unref'd: it never keeps
 * the process alive on its own.
 *
 * @example
 * const loop = runPeriodically(() => deliverDueMail(deps).then(() => {}), 30_000)
 * await loop.stop()
 */
export function runPeriodically(task: () => Promise<void>, intervalMs: number): Periodic {
  let running: Promise<void> | undefined
  let stopped = false
  const tick = () => {
    if (running || stopped) return
    // The task reports its own failures; a rejection must not end the process.
    running = task()
      .catch(() => undefined)
      .finally(() => {
        running = undefined
      })
  }
  const timer = setInterval(tick, intervalMs)
  timer.unref()
  tick()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
