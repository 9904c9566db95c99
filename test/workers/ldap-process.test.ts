/**
 * The LDAP worker as it runs in production: its own Bun process (`bun workers/ldap/main.ts`, what
 * `npm run ldap` and `npm start` start) on the app's database file, while the app writes to it.
 * LDAPS and StartTLS with a test certificate, the allowlist at connection time, changes made
 * through `/v1` visible within 2 seconds, its configuration errors.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { fileURLToPath } from 'node:url'
import { freePort } from '../harness/process'
import { TEST_SECRET_KEY } from '../harness/targets'
import {
  LDAP_WORKER_ENTRY as ENTRY,
  parseLdif,
  ldapTool,
  startLdapFixture,
  startLdapWorker,
  type LdapFixture,
} from './ldap-fixture'

const CERT = fileURLToPath(new URL('./fixtures/ldap-test-cert.pem', import.meta.url))
const KEY = fileURLToPath(new URL('./fixtures/ldap-test-key.pem', import.meta.url))
const SUFFIX = 'dc=process'

let f: LdapFixture
let worker: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
let port: number
let ldapsPort: number
let url: string
let logs: string[] = []

beforeAll(async () => {
  f = await startLdapFixture({ tenantKey: 'process', suffix: SUFFIX })
  port = freePort()
  ldapsPort = freePort()
  url = `ldap://127.0.0.1:${port}`
  ;({ child: worker, logs } = await startLdapWorker({
    DATABASE_URL: f.dbUrl,
    LDAP_PORT: String(port),
    LDAP_HOST: '127.0.0.1',
    LDAPS_PORT: String(ldapsPort),
    LDAP_TLS_CERT: CERT,
    LDAP_TLS_KEY: KEY,
  }))
})

afterAll(async () => {
  worker?.kill('SIGTERM')
  await worker?.exited
  await f?.stop()
})

const adminSearch = (serverUrl: string, args: string[], env: Record<string, string> = {}) =>
  ldapTool('ldapsearch', serverUrl, [f.adminDn, f.adminSecret], ['-LLL', ...args], env)

describe('the worker process', () => {
  test('a change through /v1 shows over LDAP within 2 seconds (separate process, same database file)', async () => {
    const started = Date.now()
    const account = await f.newAccount({ username: 'fresh', email: 'fresh@example.com' })
    const created = Date.now()
    const visibleAfter = async (filter: string, want: number) => {
      const from = Date.now()
      for (;;) {
        const run = await adminSearch(url, ['-b', SUFFIX, filter, 'mail'])
        if (parseLdif(run.stdout).length === want) return Date.now() - from
        if (Date.now() - from > 5000) throw new Error(`not visible after 5 s: ${filter}`)
        await Bun.sleep(50)
      }
    }
    expect(await visibleAfter('(username=fresh)', 1)).toBeLessThan(2000)
    const changed = await f.api('POST', new URL(account.href).pathname, {
      email: 'renamed@example.com',
    })
    expect(changed.status).toBe(200)
    expect(await visibleAfter('(mail=renamed@example.com)', 1)).toBeLessThan(2000)
    const group = (await f.api('POST', `${f.directory.href}/groups`, { name: 'staff' })).body
    await f.api('POST', '/v1/groupMemberships', {
      account: { href: account.href },
      group: { href: group.href },
    })
    expect(await visibleAfter(`(memberof=cn=staff,ou=groups,${SUFFIX})`, 1)).toBeLessThan(2000)
    await f.api('POST', new URL(account.href).pathname, { status: 'DISABLED' })
    expect(await visibleAfter('(username=fresh)', 0)).toBeLessThan(2000)
    expect(created - started).toBeLessThan(5000)
  })

  test('LDAPS with the test certificate: verified against its CA file, refused without it', async () => {
    const secure = `ldaps://127.0.0.1:${ldapsPort}`
    const ok = await adminSearch(secure, ['-b', SUFFIX, '-s', 'base', '(objectclass=*)', 'dn'], {
      LDAPTLS_CACERT: CERT,
    })
    expect(ok.stderr).toBe('')
    expect(parseLdif(ok.stdout).map((e) => e.dn)).toEqual([SUFFIX])
    const untrusted = await adminSearch(secure, ['-b', SUFFIX], {
      LDAPTLS_CACERT: '/dev/null',
      LDAPTLS_REQCERT: 'demand',
    })
    expect(untrusted.exitCode).not.toBe(0)
  })

  test('StartTLS (-ZZ) on the plain port, then a user bind over it', async () => {
    const run = await ldapTool(
      'ldapwhoami',
      url,
      [`uid=${f.admin.email},ou=users,${SUFFIX}`, f.admin.password],
      ['-ZZ'],
      { LDAPTLS_CACERT: CERT },
    )
    expect(run.stderr).toBe('')
    expect(run.stdout).toStartWith('dn:cn=')
    const root = await ldapTool('ldapsearch', url, undefined, [
      '-LLL',
      '-b',
      '',
      '-s',
      'base',
      'supportedExtension',
    ])
    expect(parseLdif(root.stdout)[0]!.attributes.supportedextension).toContain(
      '1.3.6.1.4.1.1466.20037',
    )
  })

  test('an address outside the tenant’s allowlist is refused at connection time', async () => {
    const settings = `${f.tenantHref}/ldap`
    expect((await f.api('POST', settings, { allowlist: ['10.0.0.0/8'] })).status).toBe(200)
    let refused = false
    for (
      const deadline = Date.now() + 3000;
      Date.now() < deadline && !refused;
      await Bun.sleep(100)
    ) {
      const run = await adminSearch(url, ['-b', SUFFIX, '-s', 'base', 'dn'])
      refused = run.exitCode === 255 && run.stderr.includes("Can't contact LDAP server")
    }
    expect(refused).toBe(true)
    expect((await f.api('POST', settings, { allowlist: ['127.0.0.1/32'] })).status).toBe(200)
    let back = false
    for (const deadline = Date.now() + 3000; Date.now() < deadline && !back; await Bun.sleep(100)) {
      back = (await adminSearch(url, ['-b', SUFFIX, '-s', 'base', 'dn'])).exitCode === 0
    }
    expect(back).toBe(true)
  })

  test('a user’s bind is logged as an event with the tenant and account', async () => {
    const run = await ldapTool(
      'ldapwhoami',
      url,
      [`uid=${f.admin.email},ou=users,${SUFFIX}`, f.admin.password],
      [],
    )
    expect(run.exitCode).toBe(0)
    await Bun.sleep(100)
    const line = logs
      .join('')
      .split('\n')
      .find((l) => l.includes('"ldap bind"') && l.includes('"user"'))
    expect(line).toBeDefined()
    expect(JSON.parse(line!)).toMatchObject({ msg: 'ldap bind', kind: 'user' })
    expect(line).not.toContain(f.admin.password)
  })
})

describe('configuration errors', () => {
  const expectExit = async (env: Record<string, string>, message: RegExp) => {
    const child = Bun.spawn([process.execPath, ENTRY], {
      env: { ...process.env, SECRET_KEY: TEST_SECRET_KEY, DATABASE_URL: f.dbUrl, ...env },
      stdout: 'pipe',
      stderr: 'pipe',
    })
    expect(await child.exited).toBe(1)
    const stderr = await new Response(child.stderr).text()
    expect(stderr.trim().split('\n')).toHaveLength(1)
    expect(stderr).toMatch(message)
  }

  test('a bad port, a certificate without its key, an unreadable file, a port in use: one line, exit 1', async () => {
    await expectExit({ LDAP_PORT: 'abc' }, /LDAP_PORT must be a whole number from 1 to 65535/)
    await expectExit(
      { LDAP_PORT: String(freePort()), LDAP_TLS_CERT: CERT },
      /LDAP_TLS_KEY must be set with the other/,
    )
    await expectExit(
      { LDAP_PORT: String(freePort()), LDAP_TLS_CERT: '/nonexistent.pem', LDAP_TLS_KEY: KEY },
      /LDAP_TLS_CERT cannot read \/nonexistent\.pem/,
    )
    await expectExit(
      { LDAP_PORT: String(port), LDAP_HOST: '127.0.0.1' },
      new RegExp(`port ${port} is in use`),
    )
  })
})
