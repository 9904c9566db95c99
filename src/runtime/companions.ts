/**
 * Companion workers (`workers/ldap`, later `workers/sync`): separate Bun processes that
 * `npm start` runs beside the HTTP server on the same database. A companion that dies is
 * restarted with a growing delay (1 s doubling to 30 s), so a port taken at start-up or a crash
 * does not take the HTTP server down with it, and its log says why.
 */
import type { Subprocess } from 'bun'
import type { Logger } from '../log'

export interface Companion {
  /** Stops the process (SIGTERM, then SIGKILL after `graceMs`) and any restart. */
  stop(graceMs?: number): Promise<void>
}

const FIRST_DELAY_MS = 1000
const MAX_DELAY_MS = 30_000
/** A run this long counts as healthy: the next crash restarts after the first delay again. */
const HEALTHY_AFTER_MS = 60_000

/**
 * Runs `entry` with Bun under `env`, its output going to this process's, and keeps it running.
 *
 * @example
 * const ldap = superviseCompanion('ldap', 'workers/ldap/main.ts', process.env, log)
 * // on shutdown:
 * await ldap.stop()
 */
export function superviseCompanion(
  name: string,
  entry: string,
  env: Record<string, string | undefined>,
  log: Logger,
): Companion {
  let child: Subprocess | undefined
  let stopped = false
  let delay = FIRST_DELAY_MS
  let timer: ReturnType<typeof setTimeout> | undefined

  const start = () => {
    const startedAt = Date.now()
    child = Bun.spawn([process.execPath, entry], {
      env,
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
    })
    void child.exited.then((code) => {
      if (stopped) return
      if (Date.now() - startedAt > HEALTHY_AFTER_MS) delay = FIRST_DELAY_MS
      log.error('companion exited', { companion: name, code, restartInMs: delay })
      timer = setTimeout(start, delay)
      delay = Math.min(delay * 2, MAX_DELAY_MS)
    })
  }
  start()

  return {
    async stop(graceMs = 5000) {
      stopped = true
      clearTimeout(timer)
      if (!child || child.exitCode !== null) return
      child.kill('SIGTERM')
      const forced = setTimeout(() => child?.kill('SIGKILL'), graceMs)
      await child.exited
      clearTimeout(forced)
    },
  }
}
