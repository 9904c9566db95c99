/**
 * Real-browser suites: Debian's Chromium driven by playwright-core (never a downloaded
 * browser), and the app served over HTTP in-process for it to load, as `npm start` serves it.
 *
 * @example
 * const browser = await launchChromium()
 * const server = await serveApp()
 * const page = await browser.newPage()
 * await page.goto(`${server.baseUrl}/ui/reset?sptoken=${token}`)
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import type { Hono } from 'hono'
import { createApp } from '../../src/app'
import { parseConfig } from '../../src/config'
import type { Deps } from '../../src/deps'
import { createLogger } from '../../src/log'
import { createBunDeps, migrateDatabase, openDatabase } from '../../src/runtime/bun'
import { installCommand, missingTools, SYSTEM_TOOLS } from './system-tools'
import { refuseOutbound, testEnv } from './targets'

const CHROMIUM = SYSTEM_TOOLS.find((tool) => tool.name === 'chromium')!

/**
 * No network of its own (updates, sync, QUIC probes), no GPU, no first-run UI. `--no-sandbox`
 * because CI runs as root, where Chromium's sandbox refuses to start.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Headless Chromium with a fresh, temporary profile (playwright-core's default). */
export async function launchChromium(): Promise<Browser> {
  if (missingTools([CHROMIUM]).length > 0) {
    throw new Error(
      `${CHROMIUM.path} is missing: run \`bun test/harness/system-tools.ts\` or \`${installCommand([CHROMIUM], true)}\``,
    )
  }
  return chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS })
}

export interface AppServer {
  /** `http://127.0.0.1:<port>` (or `localhost`), the app's BASE_URL. */
  baseUrl: string
  /** The app's own deps, for seeding and inspecting with the domain functions. */
  deps: Deps
  /** Log lines at `error` level: a clean run has none. */
  errors: string[]
  stop(): Promise<void>
}

/**
 * The app on Bun.serve at 127.0.0.1 over a fresh libSQL file, migrated. `host: 'localhost'`
 * names it `http://localhost:<port>` instead: WebAuthn refuses an IP address as RP id.
 */
export async function serveApp(
  options: {
    host?: '127.0.0.1' | 'localhost'
    /** The app's outbound fetch (upstream IdPs on 127.0.0.1); refused by default. */
    outbound?: Deps['fetch']
  } = {},
): Promise<AppServer> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-browser-'))
  // The port is known only once the server listens, and BASE_URL must name it: the server
  // starts first and hands requests to the app built right after (no free-port race).
  let app: Hono<any> | undefined
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (request, bun) =>
      app!.fetch(request, { clientAddress: bun.requestIP(request)?.address }),
  })
  const baseUrl = `http://${options.host ?? '127.0.0.1'}:${server.port}`
  const config = parseConfig(
    testEnv({ BASE_URL: baseUrl, DATABASE_URL: `file:${join(dir, 'db')}`, LOG_LEVEL: 'error' }),
  )
  const { db, client } = await openDatabase(config)
  await migrateDatabase(db)
  const errors: string[] = []
  const log = createLogger(config.logLevel, (line) => errors.push(line))
  const deps: Deps = {
    ...createBunDeps(config, db, log),
    fetch: options.outbound ?? (async (input, init) => refuseOutbound(new Request(input, init))),
  }
  app = createApp(deps)
  return {
    baseUrl,
    deps,
    errors,
    stop: async () => {
      await server.stop(true)
      client.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
