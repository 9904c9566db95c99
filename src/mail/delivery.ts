import type { Context } from 'hono'
import { describeError } from '../log'
import { deliverDueMail, type SenderDeps } from './sender'

/**
 * Starts delivering due mail once a handler has queued some, without holding up its response.
 * Where the runtime offers an execution context (Workers; Bun's entry provides one too) the work
 * is handed to `waitUntil`, so the isolate or process stays up until it is done; otherwise
 * (in-process tests) it simply runs on. Failures are logged, never surfaced to the response:
 * the mail is in the outbox and a later run retries it.
 *
 * @example
 * await runBatch(deps.db, [insertAccount, ...(await queueMail(deps, message))])
 * deliverInBackground(c, deps)
 * return c.json(account, 201)
 */
export function deliverInBackground(c: Context, deps: SenderDeps): void {
  const work = deliverDueMail(deps).then(
    () => undefined,
    (error: unknown) => deps.log.error('mail delivery failed', describeError(error)),
  )
  executionContextOf(c)?.waitUntil(work)
}

/** Hono's `c.executionCtx` throws when the runtime passed none, rather than answering undefined. */
function executionContextOf(
  c: Context,
): { waitUntil(promise: Promise<unknown>): void } | undefined {
  try {
    return c.executionCtx
  } catch {
    return undefined
  }
}
