/**
 * The LDAP server's settings through `/v1` on both targets (issue "LDAP directory server", item
 * 6): defaults (off, `dc={tenant}`, loopback only), validated updates that write nothing when
 * refused, a suffix no two tenants share, admin and application bind secrets shown once and
 * stored hashed, tenant isolation. (The server that uses them is the rest of the issue.)
 */
import { beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import * as schema from '../../db/schema'
import { secretMatches } from '../../src/directory/ldap-settings'
import { bootstrapAdmin, type Admin } from '../harness/admin'
import { describeTargets } from '../harness/targets'
import { restClient } from './rest-client'

describeTargets('LDAP settings', (target) => {
  let admin: Admin
  let other: Admin
  const api = restClient(target, () => admin)
  const asOther = restClient(target, () => other)
  let settingsPath: string
  let tenantId: string

  beforeAll(async () => {
    admin = await bootstrapAdmin(target.request, `ldap-${target.name}`)
    other = await bootstrapAdmin(target.request, `ldap-other-${target.name}`)
    const current = await api('GET', '/v1/tenants/current')
    const tenantPath = new URL(current.headers.get('location')!).pathname
    tenantId = tenantPath.split('/').pop()!
    settingsPath = `${tenantPath}/ldap`
  })

  test('defaults: off, the tenant key as suffix, loopback only, no admin secret yet', async () => {
    const reply = await api('GET', settingsPath)
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      enabled: false,
      suffix: `dc=ldap-${target.name}`,
      allowlist: ['127.0.0.0/8', '::1/128'],
      adminDn: `cn=admin,ou=system,dc=ldap-${target.name}`,
      adminSecretSet: false,
    })
  })

  test('updates enabled, suffix and allowlist; the admin DN follows the suffix', async () => {
    const reply = await api('POST', settingsPath, {
      enabled: true,
      suffix: 'dc=cloudron',
      allowlist: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'],
    })
    expect(reply.status).toBe(200)
    expect(reply.body).toMatchObject({
      enabled: true,
      suffix: 'dc=cloudron',
      adminDn: 'cn=admin,ou=system,dc=cloudron',
      allowlist: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.7'],
    })
    expect((await api('GET', settingsPath)).body.suffix).toBe('dc=cloudron')
  })

  test('a suffix is one tenant’s: another tenant cannot take it (409)', async () => {
    await api('POST', settingsPath, { suffix: 'dc=shared,dc=example' })
    const otherPath = `${new URL((await asOther('GET', '/v1/tenants/current')).headers.get('location')!).pathname}/ldap`
    const reply = await asOther('POST', otherPath, { suffix: 'DC=shared,DC=example' })
    expect(reply.status).toBe(409)
    expect((await asOther('GET', otherPath)).body.suffix).toBe(`dc=ldap-other-${target.name}`)
  })

  test('hostile input: bad suffixes, CIDRs and types are refused, naming the field, and change nothing', async () => {
    const before = (await api('GET', settingsPath)).body
    const bodies = [
      { suffix: 'cn=admin' },
      { suffix: 'dc=a,,dc=b' },
      { suffix: 'dc=x)(objectclass=*' },
      { suffix: `dc=${'a'.repeat(300)}` },
      { allowlist: ['10.0.0.0/33'] },
      { allowlist: ['not an address'] },
      { allowlist: Array.from({ length: 101 }, () => '10.0.0.1') },
      { allowlist: '10.0.0.0/8' },
      { enabled: 'yes' },
    ]
    for (const body of bodies) {
      const reply = await api('POST', settingsPath, body)
      expect(reply.status).toBe(400)
      expect(String(reply.body.message)).toMatch(/suffix|allowlist|enabled/)
    }
    expect((await api('GET', settingsPath)).body).toEqual(before)
  })

  test('the admin secret is shown once, stored hashed, and replaced by the next rotation', async () => {
    const first = await api('POST', `${settingsPath}/adminSecret`)
    expect(first.status).toBe(200)
    expect(first.body.adminSecret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(first.headers.get('cache-control')).toBe('no-store')
    const read = (await api('GET', settingsPath)).body
    expect(read.adminSecretSet).toBe(true)
    expect(JSON.stringify(read)).not.toContain(first.body.adminSecret)
    const row = await target.db
      .select()
      .from(schema.ldapSettings)
      .where(eq(schema.ldapSettings.tenantId, tenantId))
      .get()
    expect(row!.adminSecretHash).not.toContain(first.body.adminSecret)
    expect(await secretMatches(row!.adminSecretHash, first.body.adminSecret)).toBe(true)
    const second = await api('POST', `${settingsPath}/adminSecret`)
    const rotated = await target.db
      .select()
      .from(schema.ldapSettings)
      .where(eq(schema.ldapSettings.tenantId, tenantId))
      .get()
    expect(await secretMatches(rotated!.adminSecretHash, first.body.adminSecret)).toBe(false)
    expect(await secretMatches(rotated!.adminSecretHash, second.body.adminSecret)).toBe(true)
  })

  test("an application's bind DN and secret; deleting the secret ends its LDAP access", async () => {
    const application = (await api('POST', '/v1/applications', { name: 'LDAP app' })).body
    const path = `${new URL(application.href).pathname}/ldapSecret`
    const reply = await api('POST', path)
    expect(reply.status).toBe(200)
    const id = application.href.split('/').pop()
    const { suffix } = (await api('GET', settingsPath)).body
    expect(reply.body.bindDn).toBe(`cn=${id},ou=apps,${suffix}`)
    const stored = await target.db
      .select()
      .from(schema.ldapAppSecrets)
      .where(eq(schema.ldapAppSecrets.applicationId, id))
      .get()
    expect(await secretMatches(stored!.secretHash, reply.body.secret)).toBe(true)
    expect((await api('DELETE', path)).status).toBe(204)
    const gone = await target.db
      .select()
      .from(schema.ldapAppSecrets)
      .where(eq(schema.ldapAppSecrets.applicationId, id))
      .get()
    expect(gone).toBeUndefined()
  })

  test('deleting an application deletes its LDAP secret', async () => {
    const application = (await api('POST', '/v1/applications', { name: 'Short-lived' })).body
    const id = application.href.split('/').pop()
    await api('POST', `${new URL(application.href).pathname}/ldapSecret`)
    expect((await api('DELETE', new URL(application.href).pathname)).status).toBe(204)
    const left = await target.db
      .select()
      .from(schema.ldapAppSecrets)
      .where(eq(schema.ldapAppSecrets.applicationId, id))
      .get()
    expect(left).toBeUndefined()
  })

  describe('tenant isolation', () => {
    test("another tenant's administrator can neither read nor change these settings", async () => {
      expect((await asOther('GET', settingsPath)).status).toBe(404)
      expect((await asOther('POST', settingsPath, { enabled: false })).status).toBe(404)
      expect((await asOther('POST', `${settingsPath}/adminSecret`)).status).toBe(404)
      const application = (await api('POST', '/v1/applications', { name: 'Mine' })).body
      const path = `${new URL(application.href).pathname}/ldapSecret`
      expect((await asOther('POST', path)).status).toBe(404)
    })
  })

  test('secretMatches refuses empty, oversized and missing secrets without comparing', async () => {
    expect(await secretMatches(null, 'x')).toBe(false)
    expect(await secretMatches('00', '')).toBe(false)
    expect(await secretMatches('00', 'x'.repeat(10_000))).toBe(false)
  })
})
