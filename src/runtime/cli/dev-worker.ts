/**
 * `npm run dev:worker`: the Worker under `wrangler dev`, offline, on a local D1. Creates
 * `.dev.vars` (SECRET_KEY, BASE_URL) on first run and applies migrations with wrangler's own
 * tracker (never mixed with drizzle's on the same database: edge-runtime reference §3).
 *
 *   npm run dev:worker [-- --persist-to DIR]     (PORT sets the port, default 8787)
 */
import { access, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execWrangler, REPO_ROOT, runWrangler } from './wrangler'

const DEV_PORT = Number(process.env.PORT ?? 8787)
const DEV_VARS = join(REPO_ROOT, '.dev.vars')

async function ensureDevVars(): Promise<void> {
  try {
    await access(DEV_VARS)
  } catch {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
    await writeFile(DEV_VARS, `SECRET_KEY=${key}\nBASE_URL=http://localhost:${DEV_PORT}\n`, {
      mode: 0o600,
    })
    console.error(`created ${DEV_VARS} (SECRET_KEY, BASE_URL) for local development`)
  }
}

/** `--persist-to DIR` keeps the local D1 somewhere other than `.wrangler/state`. */
const persistAt = process.argv.indexOf('--persist-to')
const persist =
  persistAt > 0 && process.argv[persistAt + 1] ? ['--persist-to', process.argv[persistAt + 1]!] : []

await ensureDevVars()
const migration = await runWrangler([
  'd1',
  'migrations',
  'apply',
  'edgepass',
  '--local',
  ...persist,
])
if (migration.exitCode !== 0) {
  console.error(`edgepass: applying migrations to the local D1 failed:\n${migration.output}`)
  process.exit(1)
}
const dev = ['dev', '--port', String(DEV_PORT), '--ip', '127.0.0.1', ...persist]
process.exit(await execWrangler([...dev, '--show-interactive-dev-session=false']))
