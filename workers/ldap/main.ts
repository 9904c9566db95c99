/**
 * The LDAP worker's entry: `npm run ldap`, or started by `npm start` beside the HTTP server.
 * Opens the app's database (same file or Turso), loads the enabled tenants' trees, listens, and
 * stops cleanly on SIGINT/SIGTERM.
 */
import { createBunDeps, loadConfig, migrateDatabase, openDatabase } from '../../src/runtime/bun'
import { ConfigError } from '../../src/config'
import { createLogger, describeError } from '../../src/log'
import { parseLdapConfig } from './config'
import { watchDirectory } from './load'
import { startLdapServer } from './server'

async function main(): Promise<void> {
  let ldap
  let config
  try {
    config = await loadConfig(process.env)
    ldap = parseLdapConfig(process.env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    console.error(`edgepass ldap: ${error.message}`)
    process.exit(1)
  }
  const log = createLogger(config.logLevel, (line) => console.log(line))
  if (ldap.port === undefined) {
    console.error('edgepass ldap: LDAP_PORT=off: nothing to serve')
    process.exit(1)
  }
  const { db, client } = await openDatabase(config)
  // The HTTP server migrates too; whichever starts first does it (the migrator is idempotent).
  await migrateDatabase(db)
  const deps = createBunDeps(config, db, log)
  const watch = await watchDirectory(db, {
    onError: (error) => log.error('ldap index refresh failed', describeError(error)),
  })
  let server
  try {
    server = startLdapServer({
      deps,
      index: watch.index,
      hostname: ldap.hostname,
      port: ldap.port,
      tls: ldap.tls,
      limits: { sizeLimit: ldap.sizeLimit, timeLimitSeconds: ldap.timeLimitSeconds },
      idleTimeoutSeconds: ldap.idleTimeoutSeconds,
      maxConnections: ldap.maxConnections,
    })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    console.error(
      code === 'EADDRINUSE'
        ? `edgepass ldap: port ${ldap.port} is in use (set LDAP_PORT, or LDAP_PORT=off)`
        : `edgepass ldap: cannot listen: ${(error as Error).message}`,
    )
    process.exit(1)
  }
  log.info('ldap listening', {
    port: server.port,
    ldapsPort: server.ldapsPort,
    tenants: watch.index.trees.map((tree) => tree.suffix).join(' '),
  })
  const stop = (signal: string) => {
    log.info('ldap stopping', { signal })
    watch.stop()
    server.stop()
    client.close()
    process.exit(0)
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

await main()
