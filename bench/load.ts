/**
 * A closed-loop HTTP load generator, run as its own process so it does not share the server's
 * event loop: `bun bench/load.ts <plan.json>`. The plan names the requests to cycle through,
 * the concurrency and the duration; prints one JSON result (requests/s, p50, p99, errors).
 */
export interface LoadPlan {
  requests: { method: string; url: string; headers?: Record<string, string>; body?: string }[]
  concurrency: number
  seconds: number
  /** Statuses that count as success (default: 200). */
  ok?: number[]
  /** Send each request once (single-use codes and tokens) and stop when all are sent. */
  once?: boolean
}

export interface LoadResult {
  requests: number
  errors: number
  rps: number
  p50Ms: number
  p99Ms: number
  firstError?: string
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const ok = new Set(plan.ok ?? [200])
  const latencies: number[] = []
  let errors = 0
  let firstError: string | undefined
  let next = 0
  const deadline = performance.now() + plan.seconds * 1000
  const started = performance.now()
  const worker = async () => {
    while (performance.now() < deadline) {
      if (plan.once && next >= plan.requests.length) return
      const request = plan.requests[next++ % plan.requests.length]!
      const at = performance.now()
      try {
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
        })
        const text = await response.text()
        if (!ok.has(response.status)) {
          errors++
          firstError ??= `${response.status} ${text.slice(0, 200)}`
        }
      } catch (error) {
        errors++
        firstError ??= String(error)
      }
      latencies.push(performance.now() - at)
    }
  }
  await Promise.all(Array.from({ length: plan.concurrency }, worker))
  const elapsed = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    firstError,
  }
}

if (import.meta.main) {
  const plan = (await Bun.file(process.argv[2]!).json()) as LoadPlan
  console.log(JSON.stringify(await runLoad(plan)))
}
