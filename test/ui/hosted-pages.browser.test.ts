/**
 * The hosted verify and reset pages in headless Chromium (issue "Account workflows", part 3
 * acceptance), with JavaScript turned off: the pages must work as plain HTML forms.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import * as schema from '../../db/schema'
import { createAccount } from '../../src/directory/accounts'
import { attemptLogin } from '../../src/directory/login'
import { registerTenant } from '../../src/directory/tenants'
import { issueAccountToken } from '../../src/directory/tokens'
import { requestPasswordReset } from '../../src/directory/workflows'
import { runBatch } from '../../src/store/db'
import type { AccountRow, ApplicationRow, DirectoryRow, TenantRow } from '../../src/store/rows'
import { launchChromium, serveApp, type AppServer } from '../harness/browser'

const OLD_PASSWORD = 'Old-secret-123'
const NEW_PASSWORD = 'Correct-horse-42'

let server: AppServer
let browser: Browser
let context: BrowserContext
let tenant: TenantRow
let application: ApplicationRow
let directory: DirectoryRow
let serial = 0

beforeAll(async () => {
  ;[server, browser] = await Promise.all([serveApp(), launchChromium()])
  const { deps } = server
  const registered = await registerTenant(deps, {
    tenantNameKey: 'browser',
    email: 'admin@browser.example.com',
    givenName: 'Ada',
    surname: 'Admin',
    password: 'Admin-pass-1234',
  })
  tenant = registered.tenant
  application = (await deps.db
    .select()
    .from(schema.applications)
    .where(eq(schema.applications.id, registered.applicationId))
    .get())!
  directory = (await deps.db
    .select()
    .from(schema.directories)
    .where(eq(schema.directories.id, registered.directoryId))
    .get())!
  // A rule beyond the defaults, to see it listed and enforced.
  await deps.db
    .update(schema.directoryPolicies)
    .set({ preventReuse: 2 })
    .where(eq(schema.directoryPolicies.directoryId, directory.id))
  context = await browser.newContext({ javaScriptEnabled: false })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

const newAccount = (email: string) =>
  createAccount(
    server.deps,
    directory,
    { email, password: OLD_PASSWORD, givenName: 'Grace', surname: 'Hopper' },
    { passwordIsHash: false, registrationWorkflow: false },
  )

const reload = async (account: AccountRow) =>
  (await server.deps.db
    .select()
    .from(schema.accounts)
    .where(eq(schema.accounts.id, account.id))
    .get())!

/** Clicks a submit button and answers the status of the page the form post loads. */
async function submit(page: Page, button: string): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.getByRole('button', { name: button }).click(),
  ])
  await page.waitForLoadState()
  return response.status()
}

/** The id of the focused element, read through the DOM (no page script needed). */
const focusedId = (page: Page) =>
  page.locator('body').evaluate(() => (document.activeElement as HTMLElement | null)?.id ?? '')

describe('password reset page in Chromium', () => {
  test('a reset with a weak, then a mismatched, then a valid password; the old password stops working', async () => {
    const email = `reset-${++serial}@example.com`
    const account = await newAccount(email)
    const { token } = await requestPasswordReset(server.deps, application, email, { kind: 'all' })
    const link = `${server.baseUrl}/ui/reset?sptoken=${token}`
    const page = await context.newPage()

    const opened = await page.goto(link)
    expect(opened!.status()).toBe(200)
    await expect(page.title()).resolves.toBe('Choose a new password')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Choose a new password',
    )
    expect(await page.locator('#password-rules li').allTextContents()).toEqual([
      'At least 8 characters',
      'At most 100 characters',
      'At least 1 lowercase letter',
      'At least 1 uppercase letter',
      'At least 1 number',
      'Not one of your last 2 passwords',
    ])
    const password = page.getByLabel('New password', { exact: true })
    const confirmation = page.getByLabel('Confirm new password')
    expect(await password.getAttribute('autocomplete')).toBe('new-password')
    expect(await page.locator('#username').getAttribute('autocomplete')).toBe('username')
    expect(await page.locator('#username').inputValue()).toBe(email)
    // The nonce lets the page's own stylesheet apply under the CSP.
    expect(
      await page.getByRole('button').evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe('rgb(29, 78, 216)')

    await password.fill('weakpassword1')
    await confirmation.fill('weakpassword1')
    expect(await submit(page, 'Change password')).toBe(400)
    expect(await page.getByRole('alert').textContent()).toBe(
      'Password requires at least 1 uppercase character.',
    )
    expect(await password.getAttribute('aria-invalid')).toBe('true')
    expect(await password.getAttribute('aria-describedby')).toBe('password-rules password-error')
    expect(await focusedId(page)).toBe('password')
    await expect(page.title()).resolves.toBe('Error: Choose a new password')
    expect(await password.inputValue()).toBe('') // never filled back in

    await password.fill(NEW_PASSWORD)
    await confirmation.fill(`${NEW_PASSWORD}!`)
    expect(await submit(page, 'Change password')).toBe(400)
    expect(await page.getByRole('alert').textContent()).toBe('The two passwords do not match.')
    expect(await confirmation.getAttribute('aria-invalid')).toBe('true')
    expect(await password.getAttribute('aria-invalid')).toBeNull()
    expect(await focusedId(page)).toBe('confirmation')

    await password.fill(OLD_PASSWORD)
    await confirmation.fill(OLD_PASSWORD)
    expect(await submit(page, 'Change password')).toBe(400)
    expect(await page.getByRole('alert').textContent()).toBe(
      'The password must differ from the last 2 passwords.',
    )

    await password.fill(NEW_PASSWORD)
    await confirmation.fill(NEW_PASSWORD)
    expect(await submit(page, 'Change password')).toBe(200)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Your password has been changed',
    )
    expect(page.url()).toBe(`${server.baseUrl}/ui/reset`) // the token never went back into a URL

    const login = (secret: string) =>
      attemptLogin(server.deps, tenant, application, email, secret, { kind: 'all' })
    expect((await login(OLD_PASSWORD)).kind).toBe('refused')
    expect((await login(NEW_PASSWORD)).kind).toBe('authenticated')
    expect(
      await server.deps.passwords.verify(NEW_PASSWORD, (await reload(account)).passwordHash!),
    ).toBe(true)

    const again = await page.goto(link)
    expect(again!.status()).toBe(404)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'This link is invalid or has expired',
    )
    await page.close()
    expect(server.errors).toEqual([])
  })
})

describe('email verification page in Chromium', () => {
  test('open the link, click the button: the account is ENABLED and VERIFIED', async () => {
    const { deps } = server
    const email = `verify-${++serial}@example.com`
    const created = await newAccount(email)
    await deps.db
      .update(schema.accounts)
      .set({ status: 'UNVERIFIED', emailVerificationStatus: 'UNVERIFIED' })
      .where(eq(schema.accounts.id, created.id))
    const account = await reload(created)
    const issued = await issueAccountToken(deps, account, 'email_verification', 3600)
    await runBatch(deps.db, issued.statements)
    const page = await context.newPage()

    const opened = await page.goto(`${server.baseUrl}/ui/verify?sptoken=${issued.token}`)
    expect(opened!.status()).toBe(200)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Confirm your email address',
    )
    expect(await page.locator('main').textContent()).toContain(email)
    expect((await reload(account)).status).toBe('UNVERIFIED') // opening is not confirming

    expect(await submit(page, 'Confirm my email address')).toBe(200)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Your email is verified',
    )
    const verified = await reload(account)
    expect([verified.status, verified.emailVerificationStatus]).toEqual(['ENABLED', 'VERIFIED'])
    await page.close()
    expect(server.errors).toEqual([])
  })
})
