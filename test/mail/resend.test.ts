import { describe, expect, test } from 'bun:test'
import {
  RESEND_EMAILS_URL,
  resendTransport,
  type DeliveryOutcome,
  type OutgoingMail,
} from '../../src/mail/resend'

const API_KEY = 're_test_0123456789abcdef'

const MAIL: OutgoingMail = {
  outboxId: 'outbox-id-1',
  from: 'Edgepass <id@example.com>',
  to: 'ada@example.com',
  subject: 'Verify your email',
  text: 'Open https://id.example.com/verify?token=secret-token',
  html: '<a href="https://id.example.com/verify?token=secret-token">Verify</a>',
}

/** A transport whose `fetch` records each request and answers with `answer`. */
function transportAnswering(answer: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = []
  const transport = resendTransport({
    apiKey: API_KEY,
    fetch: async (input, init) => {
      const request = new Request(input, init)
      requests.push(request)
      return answer(request)
    },
  })
  return { transport, requests }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

describe('Resend transport', () => {
  test('sends the request of Resend’s API: POST /emails, Bearer key, JSON, Idempotency-Key = outbox id', async () => {
    const { transport, requests } = transportAnswering(() => json(200, { id: 're-message-1' }))
    await transport.send(MAIL)

    expect(requests).toHaveLength(1)
    const request = requests[0]!
    expect(request.url).toBe('https://api.resend.com/emails')
    expect(RESEND_EMAILS_URL).toBe(request.url)
    expect(request.method).toBe('POST')
    expect(request.headers.get('authorization')).toBe(`Bearer ${API_KEY}`)
    expect(request.headers.get('content-type')).toBe('application/json')
    expect(request.headers.get('idempotency-key')).toBe('outbox-id-1')
    expect(await request.json()).toEqual({
      from: 'Edgepass <id@example.com>',
      to: ['ada@example.com'],
      subject: 'Verify your email',
      text: MAIL.text,
      html: MAIL.html,
    })
  })

  test('a text-only mail sends no html field', async () => {
    const { transport, requests } = transportAnswering(() => json(200, { id: 're-message-2' }))
    await transport.send({ ...MAIL, html: undefined })
    const body = (await requests[0]!.json()) as Record<string, unknown>
    expect(body).toEqual({ from: MAIL.from, to: [MAIL.to], subject: MAIL.subject, text: MAIL.text })
  })

  test('a mail with neither body is rejected without calling Resend', async () => {
    const { transport, requests } = transportAnswering(() => json(200, { id: 'never' }))
    const outcome = await transport.send({ ...MAIL, text: undefined, html: undefined })
    expect(outcome).toEqual({
      kind: 'rejected',
      reason: 'the mail has neither a text nor an HTML body',
    })
    expect(requests).toHaveLength(0)
  })

  test('200 → sent, with Resend’s message id', async () => {
    const { transport } = transportAnswering(() => json(200, { id: 're-message-3' }))
    expect(await transport.send(MAIL)).toEqual({ kind: 'sent', providerMessageId: 're-message-3' })
  })

  test('503, 429 and a network error → retry, with the reason', async () => {
    const unavailable = transportAnswering(() =>
      json(503, { statusCode: 503, message: 'Service unavailable', name: 'application_error' }),
    )
    expect(await unavailable.transport.send(MAIL)).toEqual({
      kind: 'retry',
      reason: 'Resend answered 503: Service unavailable (application_error)',
    })

    const limited = transportAnswering(() =>
      json(429, {
        statusCode: 429,
        message: 'Too many requests. You can only make 2 requests per second.',
        name: 'rate_limit_exceeded',
      }),
    )
    const outcome = await limited.transport.send(MAIL)
    expect(outcome.kind).toBe('retry')
    expect(outcome).toMatchObject({ reason: expect.stringContaining('429') })

    const unreachable = transportAnswering(() => {
      throw new TypeError('fetch failed')
    })
    expect(await unreachable.transport.send(MAIL)).toEqual({
      kind: 'retry',
      reason: 'cannot reach Resend (TypeError: fetch failed)',
    })
  })

  test('no answer within the timeout → retry', async () => {
    const transport = resendTransport({
      apiKey: API_KEY,
      timeoutMs: 50,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) =>
          init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)),
        ),
    })
    expect(await transport.send(MAIL)).toEqual({
      kind: 'retry',
      reason: 'no answer from Resend within 0.05 s',
    })
  })

  test('409 concurrent_idempotent_requests (the same mail still in flight) → retry', async () => {
    const { transport } = transportAnswering(() =>
      json(409, {
        statusCode: 409,
        message: 'Same idempotency key used while original request is still in progress.',
        name: 'concurrent_idempotent_requests',
      }),
    )
    expect((await transport.send(MAIL)).kind).toBe('retry')
  })

  test('422 → rejected, the reason naming the status and Resend’s message', async () => {
    const { transport } = transportAnswering(() =>
      json(422, {
        statusCode: 422,
        message:
          'Invalid `to` field. The email address needs to follow the `email@example.com` format.',
        name: 'validation_error',
      }),
    )
    expect(await transport.send(MAIL)).toEqual({
      kind: 'rejected',
      reason:
        'Resend answered 422: Invalid `to` field. The email address needs to follow the `email@example.com` format. (validation_error)',
    })
  })

  test('API key leak: no reason ever contains the key, even when Resend or the network echo it', async () => {
    const echoes: ((request: Request) => Response)[] = [
      (r) => json(401, { statusCode: 401, message: r.headers.get('authorization'), name: 'x' }),
      (r) => json(403, { statusCode: 403, message: `key ${API_KEY} is invalid`, name: 'x' }),
      (r) => new Response(`bad key ${r.headers.get('authorization')}`, { status: 500 }),
      () => new Response(`rate limited for ${API_KEY}`, { status: 429 }),
      () => {
        throw new Error(`socket closed while sending Bearer ${API_KEY}`)
      },
    ]
    const outcomes: DeliveryOutcome[] = []
    for (const echo of echoes) outcomes.push(await transportAnswering(echo).transport.send(MAIL))
    expect(outcomes.map((o) => o.kind)).toEqual(['rejected', 'rejected', 'retry', 'retry', 'retry'])
    for (const outcome of outcomes) {
      expect(outcome).toHaveProperty('reason')
      expect(JSON.stringify(outcome)).not.toContain(API_KEY)
      expect(JSON.stringify(outcome)).toContain('[redacted]')
    }
  })
})
