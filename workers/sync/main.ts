/**
 * The sync worker's entry: `npm run sync-worker`, or started by `npm start` beside the HTTP
 * server. Opens the app's database, runs queued and scheduled syncs of external directories,
 * and stops cleanly on SIGINT/SIGTERM (letting the run in progress finish its batch).
 */
import { ConfigError } from '../../src/config'
import { createLogger } from '../../src/log'
import { createBunDeps, loadConfig, migrateDatabase, openDatabase } from '../../src/runtime/bun'
import { ldapDirectoryClient } from './ldap-client'
import { startSyncLoop } from './runner'

async function main(): Promise<void> {
  let config
  try {
    config = await loadConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`edgepass sync: ${error.message}`)
    process.exit(1)
  }
  const log = createLogger(config.logLevel, (line) => console.log(line))
  const { db, client } = await openDatabase(config)
  await migrateDatabase(db)
  const deps = createBunDeps(config, db, log)
  const loop = startSyncLoop(deps, ldapDirectoryClient())
  log.info('sync worker started', {})
  const stop = async (signal: string) => {
    log.info('sync worker stopping', { signal })
    await loop.stop()
    client.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
}

await main()
