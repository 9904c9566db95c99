/**
 * What the REST suites share: an administrator's JSON client for `/v1`, assertions on
 * Stormpath error bodies, and row counts read straight from a target's database.
 *
 * @example
 * const api = apiClient(target, () => admin)
 * const account = await api.post(`${directory.href}/accounts`, { email, password })
 * expect(account.status).toBe(201)
 */
import { expect } from 'bun:test'
import { count, type SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Admin } from '../harness/admin'
import type { Target } from '../harness/targets'

/** A parsed JSON body; the suites read arbitrary resource fields. */
export type Json = Record<string, any>

export interface ApiResponse {
  status: number
  headers: Headers
  body: Json
}

export interface ApiClient {
  get(path: string): Promise<ApiResponse>
  /** POSTs `body` as JSON; a string is sent as it is (for hostile bodies). */
  post(path: string, body?: unknown): Promise<ApiResponse>
  delete(path: string): Promise<ApiResponse>
  /** The raw response, for headers, redirects and odd requests. */
  raw(path: string, init?: RequestInit): Promise<Response>
}

/** Paths may be absolute hrefs: the app's base URL is the targets' request origin. */
export function apiClient(target: Target, admin: () => Admin): ApiClient {
  const raw = (path: string, init: RequestInit = {}) =>
    target.request(path, {
      ...init,
      headers: { authorization: admin().basic, ...(init.headers as Record<string, string>) },
    })
  const call = async (path: string, init: RequestInit = {}): Promise<ApiResponse> => {
    const response = await raw(path, init)
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : {},
    }
  }
  return {
    raw,
    get: (path) => call(path),
    delete: (path) => call(path, { method: 'DELETE' }),
    post: (path, body) =>
      call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      }),
  }
}

/**
 * Asserts a Stormpath error (reference §4): HTTP status, code, and — when the error is about an
 * input field — that the messages name it.
 */
export function expectError(response: ApiResponse, status: number, code: number, field?: string) {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code })
  expect(response.body.status).toBe(status)
  if (field !== undefined) {
    expect(`${response.body.message} ${response.body.developerMessage}`).toContain(field)
  }
}

/** Asserts a refusal of hostile input: a 4xx with a Stormpath error body, never a 5xx. */
export function expectClientError(response: ApiResponse) {
  expect(response.status).toBeGreaterThanOrEqual(400)
  expect(response.status).toBeLessThan(500)
  expect(response.body.requestId).toBeString()
}

/** Rows of `table` matching `where`, counted in the target's own database. */
export async function countRows(target: Target, table: SQLiteTable, where?: SQL): Promise<number> {
  const row = await target.db.select({ n: count() }).from(table).where(where).get()
  return row?.n ?? 0
}

/** JSON nested `depth` levels deep, as text (JSON.stringify of such a value would recurse). */
export function deeplyNested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
}

/** A body one byte over the 10 MiB limit of every `/v1` request. */
export const OVERSIZED_BODY = `{"a":"${'x'.repeat(10 * 1024 * 1024)}"}`

/** The path and query of an href, for building sub-resource addresses. */
export const pathOf = (href: string) => new URL(href).pathname
