/**
 * Delivery through Resend's REST API (https://resend.com/docs/api-reference/emails/send-email).
 *
 * The `resend` package's client calls the global `fetch` and reads `process.env`, with no way to
 * inject either; that would bypass `deps.fetch` (tests stand in for it on both runtimes) and tie
 * `src/` to a runtime. So the request is made here, through the injected `fetch`, with the
 * package's own types for the body, which keep it in step with the documented fields.
 */
import type { CreateEmailOptions, CreateEmailResponseSuccess, ErrorResponse } from 'resend'
import type { FetchFunction } from '../deps'

export const RESEND_EMAILS_URL = 'https://api.resend.com/emails'

/** Longer than Resend takes on a bad day, shorter than a sender's lease (`sender.ts`). */
export const RESEND_TIMEOUT_MS = 10_000

/** One mail as the transport sends it. */
export interface OutgoingMail {
  /** The outbox row's id, sent as `Idempotency-Key`: a retry after a timeout cannot send twice. */
  outboxId: string
  from: string
  to: string
  subject: string
  text?: string
  html?: string
}

/**
 * What became of one attempt. `retry`: worth trying again later (network, timeout, 5xx, 429);
 * `rejected`: Resend refused the mail itself (other 4xx), so trying again would not help.
 */
export type DeliveryOutcome =
  | { kind: 'sent'; providerMessageId: string | null }
  | { kind: 'retry'; reason: string }
  | { kind: 'rejected'; reason: string }

/** Sends mail somewhere; the sender takes any implementation (tests, another provider). */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<DeliveryOutcome>
}

export interface ResendOptions {
  apiKey: string
  fetch: FetchFunction
  timeoutMs?: number
}

/**
 * A {@link MailTransport} over Resend. It never throws: every failure is an outcome, and no
 * reason ever contains the API key.
 *
 * @example
 * const transport = resendTransport({ apiKey: config.email.resendApiKey, fetch: deps.fetch })
 * const outcome = await transport.send({ outboxId: row.id, from, to, subject, text })
 * if (outcome.kind === 'sent') console.log(outcome.providerMessageId)
 */
export function resendTransport(options: ResendOptions): MailTransport {
  const { apiKey, fetch, timeoutMs = RESEND_TIMEOUT_MS } = options
  // A provider's error text is not ours to trust: it could echo the Authorization header.
  const redact = (text: string) => text.split(apiKey).join('[redacted]')
  return {
    async send(mail) {
      const outcome = await post(fetch, apiKey, mail, timeoutMs)
      return outcome.kind === 'sent' ? outcome : { ...outcome, reason: redact(outcome.reason) }
    },
  }
}

async function post(
  fetch: FetchFunction,
  apiKey: string,
  mail: OutgoingMail,
  timeoutMs: number,
): Promise<DeliveryOutcome> {
  const body = requestBody(mail)
  if (!body) return { kind: 'rejected', reason: 'the mail has neither a text nor an HTML body' }
  let response: Response
  try {
    response = await fetch(RESEND_EMAILS_URL, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': mail.outboxId,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    return { kind: 'retry', reason: networkReason(error, timeoutMs) }
  }
  const answer = await response.text().catch(() => '')
  if (response.ok) return { kind: 'sent', providerMessageId: messageIdOf(answer) }
  const reason = `Resend answered ${response.status}: ${errorMessageOf(answer)}`
  return isTransient(response.status, answer)
    ? { kind: 'retry', reason }
    : { kind: 'rejected', reason }
}

/**
 * The documented body: `from`, `to` (a list), `subject`, and a text and/or an HTML part (Resend
 * needs one of them: undefined without either).
 */
function requestBody(mail: OutgoingMail): CreateEmailOptions | undefined {
  const base = { from: mail.from, to: [mail.to], subject: mail.subject }
  if (mail.text !== undefined) return { ...base, text: mail.text, html: mail.html }
  if (mail.html !== undefined) return { ...base, html: mail.html }
  return undefined
}

/**
 * 429 (rate limit, quota) and 5xx pass; so does 409 `concurrent_idempotent_requests`, Resend's
 * answer while an earlier request with the same Idempotency-Key is still in flight.
 */
function isTransient(status: number, body: string): boolean {
  if (status === 429 || status >= 500) return true
  return status === 409 && parseJson<ErrorResponse>(body)?.name === 'concurrent_idempotent_requests'
}

function networkReason(error: unknown, timeoutMs: number): string {
  const name = error instanceof Error ? error.name : typeof error
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `no answer from Resend within ${timeoutMs / 1000} s`
  }
  const message = error instanceof Error ? `: ${error.message}` : ''
  return `cannot reach Resend (${name}${message})`.slice(0, 300)
}

/** A 2xx without a readable id still means Resend took the mail: it is not sent again. */
function messageIdOf(body: string): string | null {
  const id = parseJson<CreateEmailResponseSuccess>(body)?.id
  return typeof id === 'string' && id !== '' ? id : null
}

/** Resend's error bodies are `{statusCode, message, name}`; anything else is shown shortened. */
function errorMessageOf(body: string): string {
  const error = parseJson<ErrorResponse>(body)
  if (typeof error?.message === 'string') {
    return `${error.message}${typeof error.name === 'string' ? ` (${error.name})` : ''}`.slice(
      0,
      500,
    )
  }
  return body.trim() === '' ? 'no details' : body.trim().slice(0, 200)
}

function parseJson<T>(text: string): Partial<T> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null ? (value as Partial<T>) : undefined
  } catch {
    return undefined
  }
}
