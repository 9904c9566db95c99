import type { Config } from './config'
import type { ExternalDirectoryClient } from './directory/external/source'
import type { Logger } from './log'
import type { PasswordHasher } from './security/passwords'
import type { Sealer } from './security/seal'
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
  /** Password hashing: argon2id through the runtime's fastest implementation. */
  passwords: PasswordHasher
  /** Seals secrets at rest with the master key (SECRET_KEY). */
  sealer: Sealer
  /** Outbound HTTP (Resend, upstream identity providers); stood in for by tests. */
  fetch: FetchFunction
  /**
   * LDAP access to external directories (sync, and logins of their accounts): ldapts on Bun;
   * absent where the runtime has none, and then those logins answer 503.
   */
  externalDirectories?: ExternalDirectoryClient
}

export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
