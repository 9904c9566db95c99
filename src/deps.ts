import type { Config } from './config'
import type { Logger } from './log'
import type { Database } from './store/db'

/**
 * Everything the app is given by its runtime (`src/runtime/bun.ts`, `src/runtime/worker.ts`, or
 * a test). Code below `src/` reaches I/O, time and randomness only through these, so the same
 * code runs on Bun and workerd and tests are deterministic.
 */
export interface Deps {
  config: Config
  db: Database
  log: Logger
  /** Which runtime serves the app, reported by `GET /version`. */
  runtime: 'bun' | 'workerd'
  now: () => Date
  newId: () => string
  /** Outbound HTTP (Resend, upstream identity providers); stood in for by tests. */
  fetch: FetchFunction
}

export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
