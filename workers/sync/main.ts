/**
 * The sync worker's entry: `npm run sync-worker`, or started by `npm start` beside the HTTP
 * server. Opens the app's database, runs queued and scheduled syncs of external directories,
 * and stops cleanly on SIGINT/SIGTERM (letting the run in progress finish its batch).
 */
import { ConfigError } from '../../src/config'
import { createLogger } from '../../src/log'
import { createBunDeps, loadConfig, migrateDatabase, openDatabase } from '../../src/runtime/bun'
import { rpcHandler } from '../../src/directory/external/remote'
import { parseSyncWorkerConfig } from './config'
import { ldapDirectoryClient } from './ldap-client'
import { startSyncLoop } from './runner'

async function main(): Promise<void> {
  let config
  let sync
  try {
    config = await loadConfig(process.env)
    sync = parseSyncWorkerConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`edgepass sync: ${error.message}`)
    process.exit(1)
  }
  const log = createLogger(config.logLevel, (line) => console.log(line))
  const { db, client } = await openDatabase(config)
  await migrateDatabase(db)
  const deps = createBunDeps(config, db, log)
  const directories = ldapDirectoryClient()
  const loop = startSyncLoop(deps, directories)
  // The internal endpoint an app on Workers calls (SYNC_WORKER_URL there), when asked for.
  const rpc =
    sync.rpc &&
    Bun.serve({
      port: sync.rpc.port,
      hostname: sync.rpc.hostname,
      fetch: rpcHandler({ secretKey: config.secretKey, sealer: deps.sealer, client: directories }),
    })
  log.info('sync worker started', { rpcPort: rpc ? rpc.port : undefined })
  const stop = async (signal: string) => {
    log.info('sync worker stopping', { signal })
    await rpc?.stop()
    await loop.stop()
    client.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

await main()
