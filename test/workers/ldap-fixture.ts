/**
 * An Edgepass with its LDAP server for the LDAP suites: the app on an embedded libSQL file, a
 * tenant with LDAP enabled under `suffix`, an admin secret, and the LDAP server listening on a
 * free loopback port, refreshed from the same database (as the worker process is). Helpers
 * create accounts, groups and applications through `/v1`, and run the OpenLDAP client tools.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createApp } from '../../src/app'
import { parseConfig } from '../../src/config'
import type { Deps } from '../../src/deps'
import { createLogger } from '../../src/log'
import { createBunDeps, migrateDatabase, openDatabase } from '../../src/runtime/bun'
import type { Database } from '../../src/store/db'
import { watchDirectory, type DirectoryWatch } from '../../workers/ldap/load'
import { startLdapServer, type LdapServer, type LdapServerOptions } from '../../workers/ldap/server'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { refuseOutbound, TEST_BASE_URL, TEST_SECRET_KEY, testEnv } from '../harness/targets'

export const PASSWORD = 'Ldap-pass-1234'

export interface LdapFixture {
  db: Database
  deps: Deps
  dbUrl: string
  request(path: string, init?: RequestInit): Promise<Response>
  /** `/v1` as the tenant's administrator: JSON in, `{status, body}` out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>
  admin: Admin
  tenantHref: string
  suffix: string
  adminDn: string
  adminSecret: string
  /** The directory and application of the people the suites bind as. */
  directory: any
  application: any
  server: LdapServer
  url: string
  watch: DirectoryWatch
  /** Brings the index up to date now (the worker polls; tests should not wait for it). */
  refresh(): Promise<void>
  newAccount(fields: Record<string, unknown>, directoryHref?: string): Promise<any>
  stop(): Promise<void>
}

export interface FixtureOptions {
  tenantKey: string
  suffix?: string
  server?: Partial<LdapServerOptions>
  /** Poll interval of the index (default 100 ms). */
  intervalMs?: number
  /** Extra configuration (e.g. DEFAULT_TENANT). */
  env?: Record<string, string>
}

export async function startLdapFixture(options: FixtureOptions): Promise<LdapFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepass-ldap-'))
  const dbUrl = `file:${join(dir, 'edgepass.db')}`
  const config = parseConfig(testEnv({ DATABASE_URL: dbUrl, ...options.env }))
  const { db, client } = await openDatabase(config)
  await migrateDatabase(db)
  const deps = {
    ...createBunDeps(
      config,
      db,
      createLogger('silent', () => {}),
    ),
    fetch: refuseOutboundFetch,
  }
  const app = createApp(deps)
  const request = async (path: string, init?: RequestInit) =>
    app.fetch(new Request(new URL(path, TEST_BASE_URL), init))
  const admin = await bootstrapAdmin(request, options.tenantKey)
  const api = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: admin.basic }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await request(
      new URL(path, TEST_BASE_URL).pathname + new URL(path, TEST_BASE_URL).search,
      {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      },
    )
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : {} }
  }
  const current = await request('/v1/tenants/current', { headers: { authorization: admin.basic } })
  const tenantHref = current.headers.get('location')!
  const suffix = options.suffix ?? `dc=${options.tenantKey}`
  const enabled = await api('POST', `${tenantHref}/ldap`, { enabled: true, suffix })
  if (enabled.status !== 200) throw new Error(`enable LDAP: ${JSON.stringify(enabled.body)}`)
  const adminSecret = (await api('POST', `${tenantHref}/ldap/adminSecret`)).body.adminSecret
  const directory = (await api('POST', '/v1/directories', { name: 'People' })).body
  const application = (await api('POST', '/v1/applications', { name: 'Wiki' })).body
  await api('POST', '/v1/accountStoreMappings', {
    application: { href: application.href },
    accountStore: { href: directory.href },
    isDefaultAccountStore: true,
  })
  const watch = await watchDirectory(db, { intervalMs: options.intervalMs ?? 100 })
  const server = startLdapServer({
    deps,
    index: watch.index,
    hostname: '127.0.0.1',
    port: 0,
    ...options.server,
  })
  const newAccount = async (fields: Record<string, unknown>, directoryHref = directory.href) => {
    const reply = await api('POST', `${directoryHref}/accounts?registrationWorkflowEnabled=false`, {
      password: PASSWORD,
      givenName: 'Given',
      surname: 'Surname',
      ...fields,
    })
    if (reply.status !== 201) throw new Error(`account: ${JSON.stringify(reply.body)}`)
    return reply.body
  }
  return {
    db,
    deps,
    dbUrl,
    request,
    api,
    admin,
    tenantHref,
    suffix,
    adminDn: `cn=admin,ou=system,${suffix}`,
    adminSecret,
    directory,
    application,
    server,
    url: `ldap://127.0.0.1:${server.port}`,
    watch,
    refresh: () => watch.refresh(),
    newAccount,
    stop: async () => {
      server.stop()
      watch.stop()
      client.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const refuseOutboundFetch: Deps['fetch'] = async (input, init) =>
  refuseOutbound(new Request(input, init))

/** What an OpenLDAP client tool printed, and its exit code (49 → exit 49, etc.). */
export interface ToolRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs `ldapsearch`, `ldapwhoami`, … with a 15 s limit; LDAPTLS_* may come through `env`. */
export async function runTool(args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  const child = Bun.spawn(args, {
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, ...env },
    timeout: 15_000,
  })
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { exitCode, stdout, stderr }
}

/** LDIF entries of ldapsearch's output: DN and attributes (names as sent), base64 decoded. */
export function parseLdif(text: string): { dn: string; attributes: Record<string, string[]> }[] {
  const unfolded = text.replace(/\n /g, '')
  const entries: { dn: string; attributes: Record<string, string[]> }[] = []
  for (const block of unfolded.split(/\n\n+/)) {
    const lines = block.split('\n').filter((line) => line && !line.startsWith('#'))
    if (!lines[0]?.startsWith('dn:')) continue
    const entry = { dn: '', attributes: {} as Record<string, string[]> }
    for (const line of lines) {
      const match = /^([^:]+)(::?) ?(.*)$/.exec(line)
      if (!match) continue
      const value = match[2] === '::' ? Buffer.from(match[3]!, 'base64').toString() : match[3]!
      if (match[1] === 'dn') entry.dn = value
      else (entry.attributes[match[1]!] ??= []).push(value)
    }
    entries.push(entry)
  }
  return entries
}

export const LDAP_WORKER_ENTRY = fileURLToPath(
  new URL('../../workers/ldap/main.ts', import.meta.url),
)

/**
 * Starts the worker process (`bun workers/ldap/main.ts`) and waits for its "ldap listening"
 * line; `logs` keeps collecting what it prints.
 */
export async function startLdapWorker(env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, LDAP_WORKER_ENTRY], {
    env: { ...process.env, SECRET_KEY: TEST_SECRET_KEY, LOG_LEVEL: 'info', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const reader = child.stdout.getReader()
  const decoder = new TextDecoder()
  let seen = ''
  const deadline = Date.now() + 10_000
  while (!seen.includes('ldap listening')) {
    if (Date.now() > deadline) throw new Error(`worker did not start: ${seen}`)
    const { value, done } = await reader.read()
    if (done) throw new Error(`worker exited: ${seen} ${await new Response(child.stderr).text()}`)
    seen += decoder.decode(value)
  }
  const logs = [seen]
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      logs.push(decoder.decode(value))
    }
  })()
  return { child, logs }
}

/**
 * Runs an OpenLDAP client tool with a simple bind: `tool -x -H url [-D dn -w password] …args`.
 *
 * @example
 * await ldapTool('ldapsearch', f.url, [f.adminDn, f.adminSecret], ['-b', 'dc=x', '(uid=a)'])
 */
export function ldapTool(
  tool: 'ldapsearch' | 'ldapwhoami' | 'ldapcompare',
  url: string,
  bind: readonly [dn: string, password: string] | undefined,
  args: string[],
  env: Record<string, string> = {},
): Promise<ToolRun> {
  const credentials = bind ? ['-D', bind[0], '-w', bind[1]] : []
  return runTool([tool, '-x', '-H', url, ...credentials, ...args], env)
}
