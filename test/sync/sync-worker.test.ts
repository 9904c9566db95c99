/**
 * The sync worker around the sync itself: `npm start` runs it (a sync requested through `/v1`
 * is done by the worker process), the CLI follows a run with a progress bar, the schedule queues
 * runs once their interval has passed, and the internal endpoint lets an app on Workers (no LDAP
 * sockets) log external accounts in: signed with a key derived from SECRET_KEY, refused when
 * unsigned, stale, replayed or signed with another key.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { remoteDirectoryClient, rpcHandler } from '../../src/directory/external/remote'
import { queueDueSyncs } from '../../src/directory/external/sync-runs'
import { createLogger } from '../../src/log'
import { newId } from '../../src/security/ids'
import { createSealer } from '../../src/security/seal'
import { progressLine } from '../../workers/sync/cli'
import { parseSyncWorkerConfig } from '../../workers/sync/config'
import { guidText, ldapDirectoryClient } from '../../workers/sync/ldap-client'
import { runQueuedSyncs, startSyncLoop } from '../../workers/sync/runner'
import { bootstrapAdmin } from '../harness/admin'
import { freePort, startServer, type ServerProcess } from '../harness/process'
import { startSlapd, type Slapd } from '../harness/slapd'
import { startTarget, TEST_SECRET_KEY, type Target } from '../harness/targets'
import { startLdapFixture, type LdapFixture } from '../workers/ldap-fixture'

const CLI = fileURLToPath(new URL('../../workers/sync/cli.ts', import.meta.url))
const SYNC_ENTRY = fileURLToPath(new URL('../../workers/sync/main.ts', import.meta.url))
const BASE = 'dc=example,dc=org'
let slapd: Slapd

const providerFor = (server: Slapd) => ({
  providerId: 'ldap',
  url: server.url,
  baseDn: `ou=people,${BASE}`,
  bindDn: server.adminDn,
  bindPassword: server.adminPassword,
})

beforeAll(async () => {
  slapd = await startSlapd()
})

afterAll(async () => {
  await slapd?.destroy()
})

describe('npm start runs the sync worker', () => {
  let dir: string
  let server: ServerProcess

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgepass-sync-worker-'))
    server = await startServer(dir, {
      SECRET_KEY: TEST_SECRET_KEY,
      LOG_LEVEL: 'warn',
      SYNC_WORKER: 'on',
    })
  })

  afterAll(async () => {
    if (server?.child.exitCode === null) await server.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('a sync requested through /v1 is run by the worker process', async () => {
    const request = (path: string, init?: RequestInit) =>
      fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, redirect: 'manual' })
    const admin = await bootstrapAdmin(request, 'sync-npm')
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await request(path, {
        method,
        headers: { authorization: admin.basic, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return { status: response.status, body: (await response.json()) as any }
    }
    const directory = (
      await call('POST', '/v1/directories', { name: 'LDAP', provider: providerFor(slapd) })
    ).body
    const queued = await call('POST', `${new URL(directory.href).pathname}/sync`)
    expect(queued.status).toBe(202)
    let run = queued.body
    for (
      const deadline = Date.now() + 10_000;
      Date.now() < deadline && run.state !== 'succeeded';
    ) {
      await Bun.sleep(100)
      run = (await call('GET', new URL(run.href).pathname)).body
    }
    expect(run).toMatchObject({ state: 'succeeded', created: 3 })
    const { exitCode } = await server.stop('SIGTERM')
    expect(exitCode).toBe(0)
  })
})

describe('the CLI and the schedule', () => {
  let f: LdapFixture
  let http: ReturnType<typeof Bun.serve>

  beforeAll(async () => {
    f = await startLdapFixture({ tenantKey: 'sync-cli', suffix: 'dc=sync-cli' })
    // The fixture's app on a real port, for the CLI (a separate process).
    http = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: (request) => {
        const url = new URL(request.url)
        return f.request(url.pathname + url.search, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        })
      },
    })
  })

  afterAll(async () => {
    http?.stop(true)
    await f?.stop()
  })

  test('npm run sync follows the run with a progress bar to its end', async () => {
    const directory = (
      await f.api('POST', '/v1/directories', { name: 'CLI LDAP', provider: providerFor(slapd) })
    ).body
    const loop = startSyncLoop(f.deps, ldapDirectoryClient(), { pollMs: 100 })
    try {
      const child = Bun.spawn([process.execPath, CLI, directory.href], {
        env: {
          ...process.env,
          EDGEPASS_URL: `http://127.0.0.1:${http.port}`,
          EDGEPASS_API_KEY_ID: f.admin.keyId,
          EDGEPASS_API_KEY_SECRET: f.admin.keySecret,
        },
        stdout: 'pipe',
        stderr: 'pipe',
      })
      const [stdout, stderr, exitCode] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ])
      expect(exitCode).toBe(0)
      expect(stdout).toMatch(/^sync succeeded: http/)
      // The loop's schedule may have synced the new directory a moment before the CLI's request
      // (then the CLI's run finds the three accounts unchanged): either way, three entries.
      const done = new RegExp(
        `\\[${'#'.repeat(30)}\\] 3/3 succeeded — created (\\d), updated 0, unchanged (\\d)`,
      )
      const [, created, unchanged] = done.exec(stderr) ?? []
      expect(Number(created) + Number(unchanged)).toBe(3)
    } finally {
      await loop.stop()
    }
    const usage = Bun.spawnSync([process.execPath, CLI], { env: { ...process.env } })
    expect(usage.exitCode).toBe(2)
    expect(usage.stderr.toString()).toContain('usage: npm run sync -- <directory id or href>')
  })

  test('the progress line: a bar of processed/total and the counts', () => {
    const line = progressLine({
      href: 'x',
      state: 'running',
      total: 200,
      processed: 50,
      created: 40,
      updated: 5,
      unchanged: 5,
      missing: 0,
      conflicts: 0,
      groups: 0,
      log: [],
    })
    expect(line).toBe(
      `[${'#'.repeat(8)}${'.'.repeat(22)}] 50/200 running — created 40, updated 5, unchanged 5, missing 0, conflicts 0`,
    )
  })

  test('the schedule queues a run when a directory’s interval has passed, not before', async () => {
    const directory = (
      await f.api('POST', '/v1/directories', {
        name: 'Scheduled',
        provider: { ...providerFor(slapd), syncInterval: 'PT1H' },
      })
    ).body
    const id = new URL(directory.href).pathname.split('/').pop()!
    const at = (ms: number) => ({ ...f.deps, now: () => new Date(ms) })
    const start = Date.now()
    const runsOf = async () =>
      (await f.api('GET', `${new URL(directory.href).pathname}/syncRuns`)).body
    await queueDueSyncs(at(start)) // never ran: due now
    expect((await runsOf()).size).toBe(1)
    await runQueuedSyncs(f.deps, ldapDirectoryClient())
    await queueDueSyncs(at(start + 30 * 60_000))
    expect((await runsOf()).size).toBe(1)
    await queueDueSyncs(at(start + 61 * 60_000))
    const runs = await runsOf()
    expect(runs.size).toBe(2)
    expect(runs.items[0]).toMatchObject({ trigger: 'schedule', state: 'queued' })
    expect(id).toBeTruthy()
    await runQueuedSyncs(f.deps, ldapDirectoryClient())
  })
})

describe('the internal endpoint for an app on Workers', () => {
  const sealer = createSealer(TEST_SECRET_KEY)
  const handler = rpcHandler({ secretKey: TEST_SECRET_KEY, sealer, client: ldapDirectoryClient() })
  const connection = () => ({
    settings: {
      preset: 'generic' as const,
      url: slapd.url,
      baseDn: `ou=people,${BASE}`,
      filter: '(objectClass=inetOrgPerson)',
      usernameField: 'uid',
      mailField: 'mail',
      givenNameField: 'givenName',
      surnameField: 'sn',
      displayNameField: 'cn',
      uuidField: 'entryUUID',
      groupBaseDn: '',
      groupFilter: '(objectClass=groupOfNames)',
      groupnameField: 'cn',
      groupMemberField: 'member',
      bindDn: slapd.adminDn,
      acceptSelfSignedCertificates: false,
      autoCreate: false,
      syncGroups: false,
      syncIntervalSeconds: 14_400,
    },
    bindPassword: slapd.adminPassword,
  })

  test('a signed call authenticates through the worker; a wrong password is refused', async () => {
    const requests: { url: string; headers: Headers; body: string }[] = []
    const remote = remoteDirectoryClient({
      url: 'http://sync.internal',
      secretKey: TEST_SECRET_KEY,
      sealer,
      fetch: async (input, init) => {
        const request = new Request(input, init)
        const body = await request.text()
        requests.push({ url: request.url, headers: request.headers, body })
        return handler(new Request(request.url, { method: 'POST', headers: request.headers, body }))
      },
    })
    const ok = await remote.authenticate(connection(), 'alice', 'alice-pass')
    expect(ok).toMatchObject({
      kind: 'accepted',
      user: { username: 'alice', email: 'alice@example.org' },
    })
    expect(await remote.authenticate(connection(), 'alice', 'wrong')).toEqual({ kind: 'refused' })
    expect((await remote.users(connection())).map((user) => user.username).sort()).toEqual([
      'alice',
      'bob',
      'carol',
    ])
    // Neither password travels in clear.
    for (const { body } of requests) {
      expect(body).not.toContain('alice-pass')
      expect(body).not.toContain(slapd.adminPassword)
    }
    // A replay of a signed request is refused.
    const [first] = requests
    const replay = new Request(first!.url, {
      method: 'POST',
      headers: first!.headers,
      body: first!.body,
    })
    expect((await handler(replay)).status).toBe(401)
  })

  test('unsigned, stale, tampered and other-key requests are 401', async () => {
    const captured: Request[] = []
    const capture = (secretKey: string, now?: () => Date) =>
      remoteDirectoryClient({
        url: 'http://sync.internal',
        secretKey,
        sealer: createSealer(secretKey),
        now,
        fetch: async (input, init) => {
          captured.push(new Request(input, init))
          return new Response('nope', { status: 599 })
        },
      })
    await capture(TEST_SECRET_KEY).authenticate(connection(), 'alice', 'alice-pass')
    await capture('another-secret-key-0123456789abcdef-0123').authenticate(
      connection(),
      'alice',
      'x',
    )
    await capture(TEST_SECRET_KEY, () => new Date(Date.now() - 5 * 60_000)).authenticate(
      connection(),
      'alice',
      'x',
    )
    const [fresh, otherKey, stale] = captured
    const unsigned = new Request(fresh!.url, { method: 'POST', body: await fresh!.clone().text() })
    const tamperedBody = (await fresh!.clone().text()).replace('"n":"', '"n":"x')
    const tampered = new Request(fresh!.url, {
      method: 'POST',
      headers: fresh!.headers,
      body: tamperedBody,
    })
    for (const request of [unsigned, tampered, otherKey!, stale!]) {
      expect((await handler(request)).status).toBe(401)
    }
    expect(
      (await handler(new Request('http://sync.internal/other', { method: 'POST' }))).status,
    ).toBe(404)
    const post = (body: string) =>
      handler(new Request('http://sync.internal/internal/ldap', { method: 'POST', body }))
    expect((await post('x'.repeat(70_000))).status).toBe(413)
    for (const body of [
      'not json',
      '[]',
      '{"t":1,"n":"a","sealed":"b"}',
      '{"t":"99999999999999999","n":"a","sealed":"b"}',
    ]) {
      expect((await post(body)).status).toBe(401)
    }
  })

  test('on workerd (D1): external accounts log in through SYNC_WORKER_URL, served by the worker process', async () => {
    // The real sync worker (`bun workers/sync/main.ts`) with its endpoint on SYNC_PORT; the
    // Worker's outbound fetch to SYNC_WORKER_URL is carried to it over loopback.
    const dir = await mkdtemp(join(tmpdir(), 'edgepass-sync-rpc-'))
    const rpcPort = freePort()
    const worker = Bun.spawn([process.execPath, SYNC_ENTRY], {
      env: {
        ...process.env,
        SECRET_KEY: TEST_SECRET_KEY,
        DATABASE_URL: `file:${join(dir, 'sync.db')}`,
        SYNC_PORT: String(rpcPort),
        LOG_LEVEL: 'warn',
      },
      stdout: 'ignore',
      stderr: 'inherit',
    })
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await Bun.sleep(100)) {
      const probe = await fetch(`http://127.0.0.1:${rpcPort}/internal/ldap`).catch(() => undefined)
      if (probe) break
    }
    const target: Target = await startTarget('workerd', {
      env: { SYNC_WORKER_URL: 'http://sync.internal' },
      outbound: async (request) => {
        const url = new URL(request.url)
        return fetch(`http://127.0.0.1:${rpcPort}${url.pathname}`, {
          method: request.method,
          headers: request.headers,
          body: await request.text(),
        })
      },
    })
    try {
      const admin = await bootstrapAdmin(target.request, 'sync-edge')
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await target.request(path, {
          method,
          headers: { authorization: admin.basic, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        return { status: response.status, body: (await response.json()) as any }
      }
      const directory = (
        await call('POST', '/v1/directories', { name: 'LDAP', provider: providerFor(slapd) })
      ).body
      const application = (await call('POST', '/v1/applications', { name: 'Edge app' })).body
      await call('POST', '/v1/accountStoreMappings', {
        application: { href: application.href },
        accountStore: { href: directory.href },
      })
      expect((await call('POST', `${new URL(directory.href).pathname}/sync`)).status).toBe(202)
      // The Worker's cron runs queued syncs; here the same runner writes to the same D1.
      const deps = {
        db: target.db,
        now: () => new Date(),
        newId,
        sealer: createSealer(TEST_SECRET_KEY),
        log: createLogger('silent', () => {}),
      } as unknown as Parameters<typeof runQueuedSyncs>[0]
      expect(await runQueuedSyncs(deps, ldapDirectoryClient())).toBe(1)
      const login = (password: string) =>
        call('POST', `${new URL(application.href).pathname}/loginAttempts`, {
          type: 'basic',
          value: btoa(`carol:${password}`),
        })
      const accepted = await login('carol-pass')
      expect(accepted.status).toBe(200)
      const wrong = await login('nope')
      expect(wrong.status).toBe(400)
      expect(wrong.body.code).toBe(7100)
    } finally {
      await target.stop()
      worker.kill('SIGTERM')
      await worker.exited
      await rm(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('the sync worker’s parts', () => {
  test('configuration: SYNC_WORKER on/off, SYNC_PORT checked, the endpoint on loopback by default', () => {
    expect(parseSyncWorkerConfig({})).toEqual({ enabled: true, rpc: undefined })
    expect(parseSyncWorkerConfig({ SYNC_WORKER: 'OFF', SYNC_PORT: '3891' })).toEqual({
      enabled: false,
      rpc: { port: 3891, hostname: '127.0.0.1' },
    })
    expect(() => parseSyncWorkerConfig({ SYNC_WORKER: 'maybe' })).toThrow(
      'SYNC_WORKER must be on or off',
    )
    for (const port of ['0', '70000', 'abc', '-1']) {
      expect(() => parseSyncWorkerConfig({ SYNC_PORT: port })).toThrow(
        'SYNC_PORT must be a whole number',
      )
    }
  })

  test('AD objectGUID bytes read as the UUID AD shows (first three fields little-endian)', () => {
    const bytes = Buffer.from('3f2504e04f8911d39a0c0305e82c3301', 'hex')
    expect(guidText(bytes)).toBe('e004253f-894f-d311-9a0c-0305e82c3301')
    expect(guidText(Buffer.from('abcd', 'hex'))).toBe('abcd') // not a GUID: kept as hex
  })
})
