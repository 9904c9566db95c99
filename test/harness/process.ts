/** Spawning the Bun entry as a user would, for start-up and shutdown tests and benchmarks. */
import type { Subprocess } from 'bun'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'

export const BUN_ENTRY = `${REPO_ROOT}src/runtime/bun.ts`

/** A port that was free a moment ago (the OS picks it). */
export function freePort(): number {
  const server = Bun.serve({ port: 0, fetch: () => new Response() })
  const port = server.port!
  server.stop(true)
  return port
}

export interface ServerProcess {
  child: Subprocess<'ignore', 'pipe', 'pipe'>
  port: number
  /** Milliseconds from spawn to the first 200 from /ready. */
  readyAfterMs: number
  /** Sends `signal`, waits for the exit, returns the exit code and everything printed. */
  stop(signal?: NodeJS.Signals): Promise<{ exitCode: number; stdout: string; stderr: string }>
}

/** Starts `bun src/runtime/bun.ts` in `cwd` and waits until `/ready` answers 200. */
export async function startServer(
  cwd: string,
  env: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<ServerProcess> {
  const port = freePort()
  const started = performance.now()
  const child = Bun.spawn([process.execPath, BUN_ENTRY], {
    cwd,
    // The LDAP companion is off unless a test asks for it: parallel servers would share its port.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      LDAP_PORT: 'off',
      SYNC_WORKER: 'off',
      ...env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const stdout = new Response(child.stdout).text()
  const stderr = new Response(child.stderr).text()
  const stop: ServerProcess['stop'] = async (signal = 'SIGTERM') => {
    child.kill(signal)
    return { exitCode: await child.exited, stdout: await stdout, stderr: await stderr }
  }
  if (await waitForReady(port, child, timeoutMs)) {
    return { child, port, readyAfterMs: performance.now() - started, stop }
  }
  const { stderr: printed } = await stop('SIGKILL')
  throw new Error(`server not ready within ${timeoutMs} ms: ${printed}`)
}

/** Polls `GET /ready` on `port` until it answers 200 (true), the child exits or time runs out. */
export async function waitForReady(
  port: number,
  child: Subprocess<any, any, any>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline && child.exitCode === null) {
    const response = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined)
    if (response?.status === 200) return true
    await Bun.sleep(20)
  }
  return false
}

/** Runs the entry to completion (for configurations that must refuse to start). */
export async function runServerExpectingExit(cwd: string, env: Record<string, string>) {
  const child = Bun.spawn([process.execPath, BUN_ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? '', LDAP_PORT: 'off', SYNC_WORKER: 'off', ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  clearTimeout(timer)
  return { exitCode, stdout, stderr }
}
