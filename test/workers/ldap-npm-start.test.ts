/**
 * `npm start` runs the LDAP server beside the HTTP server: a tenant enabled through `/v1`
 * answers over LDAP on LDAP_PORT, SIGTERM stops both, and a bad LDAP variable stops the start
 * with its one-line message.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bootstrapAdmin } from '../harness/admin'
import {
  freePort,
  runServerExpectingExit,
  startServer,
  type ServerProcess,
} from '../harness/process'
import { TEST_SECRET_KEY } from '../harness/targets'
import { ldapTool, parseLdif } from './ldap-fixture'

let dir: string
let server: ServerProcess
let ldapPort: number

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgepass-npm-start-ldap-'))
  ldapPort = freePort()
  server = await startServer(dir, {
    SECRET_KEY: TEST_SECRET_KEY,
    LOG_LEVEL: 'warn',
    LDAP_PORT: String(ldapPort),
    LDAP_HOST: '127.0.0.1',
  })
})

afterAll(async () => {
  if (server?.child.exitCode === null) await server.stop()
  await rm(dir, { recursive: true, force: true })
})

describe('npm start with the LDAP companion', () => {
  test('a tenant enabled through /v1 answers over LDAP; SIGTERM stops both processes', async () => {
    const request = (path: string, init?: RequestInit) =>
      fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, redirect: 'manual' })
    const admin = await bootstrapAdmin(request, 'npm-ldap')
    const headers = { authorization: admin.basic, 'content-type': 'application/json' }
    const tenant = new URL(
      (await request('/v1/tenants/current', { headers })).headers.get('location')!,
    ).pathname
    const enabled = await request(`${tenant}/ldap`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ enabled: true }),
    })
    expect(enabled.status).toBe(200)
    const { adminSecret } = (await (
      await request(`${tenant}/ldap/adminSecret`, { method: 'POST', headers })
    ).json()) as { adminSecret: string }

    let found: ReturnType<typeof parseLdif> = []
    const started = Date.now()
    while (found.length === 0 && Date.now() - started < 5000) {
      const run = await ldapTool(
        'ldapsearch',
        `ldap://127.0.0.1:${ldapPort}`,
        ['cn=admin,ou=system,dc=npm-ldap', adminSecret],
        ['-LLL', '-b', 'ou=users,dc=npm-ldap', '(mail=admin@npm-ldap.example.com)', 'mail'],
      )
      found = parseLdif(run.stdout)
      if (found.length === 0) await Bun.sleep(100)
    }
    expect(found[0]?.attributes.mail).toEqual(['admin@npm-ldap.example.com'])
    expect(Date.now() - started).toBeLessThan(2000)

    const { exitCode } = await server.stop('SIGTERM')
    expect(exitCode).toBe(0)
    // The companion went with it: its port is free again.
    const probe = Bun.listen({ hostname: '127.0.0.1', port: ldapPort, socket: { data() {} } })
    probe.stop(true)
  })

  test('a bad LDAP variable stops npm start with one line naming it', async () => {
    const { exitCode, stderr } = await runServerExpectingExit(dir, {
      SECRET_KEY: TEST_SECRET_KEY,
      PORT: String(freePort()),
      LDAP_PORT: '99999',
      LDAP_SIZE_LIMIT: 'lots',
    })
    expect(exitCode).toBe(1)
    expect(stderr.trim()).toBe(
      'edgepass: invalid configuration: LDAP_PORT must be a whole number from 1 to 65535; LDAP_SIZE_LIMIT must be a whole number from 1 to 1000000',
    )
  })
})
