/**
 * The raw `/v1` client shared by the applications, organizations, account store mapping and
 * login attempt suites: one call per request, answering `{status, headers, body}`.
 */
import { expect } from 'bun:test'
import type { Admin } from '../harness/admin'
import { TEST_BASE_URL, type Target } from '../harness/targets'

/** A parsed JSON body; the suites read arbitrary resource fields. */
export type Json = Record<string, any>

/** One answer from `/v1`, its body parsed (`{}` when empty). */
export interface Reply {
  status: number
  headers: Headers
  body: Json
}

/** Calls `/v1` as `admin`; `body` is sent as JSON unless it is already a string. */
export function restClient(target: Target, admin: () => Admin) {
  return async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: admin().basic }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await target.request(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : {},
    }
  }
}

/** The last path segment of `href`: a resource's id. */
export const idOf = (href: string) => href.split('/').pop()!

/** An asymmetric matcher for any string that begins with `prefix` (taken literally). */
export const startingWith = (prefix: string) =>
  expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))

/** The absolute base of the REST API, as hrefs in bodies spell it. */
export const V1 = `${TEST_BASE_URL}/v1`
