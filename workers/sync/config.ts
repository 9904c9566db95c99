/**
 * The sync worker's own settings (the database and SECRET_KEY are the app's):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | `SYNC_WORKER` | `on` | `off` leaves the sync worker out of `npm start` |
 * | `SYNC_PORT` | — | serve the internal endpoint for an app on Workers (SYNC_WORKER_URL there) |
 * | `SYNC_HOST` | `127.0.0.1` | the address of that endpoint |
 */
import { ConfigError, type Environment } from '../../src/config'

export interface SyncWorkerConfig {
  enabled: boolean
  rpc: { port: number; hostname: string } | undefined
}

export function parseSyncWorkerConfig(env: Environment): SyncWorkerConfig {
  const switchValue = env.SYNC_WORKER?.trim().toLowerCase() || 'on'
  if (switchValue !== 'on' && switchValue !== 'off') {
    throw new ConfigError([{ variable: 'SYNC_WORKER', message: 'must be on or off' }])
  }
  const port = env.SYNC_PORT?.trim()
  if (port && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    throw new ConfigError([
      { variable: 'SYNC_PORT', message: 'must be a whole number from 1 to 65535' },
    ])
  }
  return {
    enabled: switchValue === 'on',
    rpc: port ? { port: Number(port), hostname: env.SYNC_HOST?.trim() || '127.0.0.1' } : undefined,
  }
}
