/**
 * `npm run sync -- <directory id or href>`: starts a sync of an external directory through
 * `/v1` and follows it with a progress bar until it ends (exit 0 when it succeeded, 1 when it
 * failed, 2 for a usage or connection problem). Credentials come from the environment, as the
 * Stormpath SDKs read them: EDGEPASS_URL (default http://localhost:10010), EDGEPASS_API_KEY_ID,
 * EDGEPASS_API_KEY_SECRET.
 */

export interface RunView {
  href: string
  state: 'queued' | 'running' | 'succeeded' | 'failed'
  total: number
  processed: number
  created: number
  updated: number
  unchanged: number
  missing: number
  conflicts: number
  groups: number
  log: { kind: string; message: string; entry?: string }[]
}

const BAR_WIDTH = 30

/**
 * One progress line: a bar of processed/total and the counts so far.
 *
 * @example
 * progressLine({ state: 'running', total: 10, processed: 5, … }) // '[###############...] 5/10 …'
 */
export function progressLine(run: RunView): string {
  const fraction = run.total > 0 ? Math.min(1, run.processed / run.total) : 0
  const filled = Math.round(fraction * BAR_WIDTH)
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`
  const counts = `created ${run.created}, updated ${run.updated}, unchanged ${run.unchanged}, missing ${run.missing}, conflicts ${run.conflicts}`
  const position = run.total > 0 ? `${run.processed}/${run.total}` : run.state
  return `${bar} ${position} ${run.state} — ${counts}`
}

async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const target = argv[0]
  if (!target || argv.length > 1) {
    console.error('usage: npm run sync -- <directory id or href>')
    return 2
  }
  const base = (env.EDGEPASS_URL ?? 'http://localhost:10010').replace(/\/+$/, '')
  const id = env.EDGEPASS_API_KEY_ID
  const secret = env.EDGEPASS_API_KEY_SECRET
  if (!id || !secret) {
    console.error(
      'edgepass sync: set EDGEPASS_API_KEY_ID and EDGEPASS_API_KEY_SECRET (an API key of a tenant administrator)',
    )
    return 2
  }
  const directoryId = target.replace(/\/+$/, '').split('/').pop()!
  const headers = { authorization: `Basic ${btoa(`${id}:${secret}`)}`, accept: 'application/json' }
  let response: Response
  try {
    response = await fetch(`${base}/v1/directories/${encodeURIComponent(directoryId)}/sync`, {
      method: 'POST',
      headers,
    })
  } catch (error) {
    console.error(`edgepass sync: cannot reach ${base}: ${(error as Error).message}`)
    return 2
  }
  if (response.status !== 202) {
    const body = (await response.json().catch(() => ({}))) as { message?: string }
    console.error(`edgepass sync: ${response.status} ${body.message ?? ''}`.trim())
    return 2
  }
  let run = (await response.json()) as RunView
  const tty = process.stderr.isTTY === true
  let last = ''
  let lastPrinted = 0
  for (;;) {
    const line = progressLine(run)
    // On a terminal the bar redraws in place; in a log, a line when it changes (at most every 2 s).
    if (tty) process.stderr.write(`\r${line}`)
    else if (
      line !== last &&
      (Date.now() - lastPrinted > 2000 || run.state === 'succeeded' || run.state === 'failed')
    ) {
      process.stderr.write(`${line}\n`)
      lastPrinted = Date.now()
    }
    last = line
    if (run.state === 'succeeded' || run.state === 'failed') break
    await Bun.sleep(500)
    run = (await (
      await fetch(run.href.replace(/^https?:\/\/[^/]+/, base), { headers })
    ).json()) as RunView
  }
  if (tty) process.stderr.write('\n')
  for (const entry of run.log)
    console.error(`  ${entry.kind}: ${entry.message}${entry.entry ? ` (${entry.entry})` : ''}`)
  console.log(`sync ${run.state}: ${run.href}`)
  return run.state === 'succeeded' ? 0 : 1
}

if (import.meta.main) process.exit(await main(process.argv.slice(2), process.env))
