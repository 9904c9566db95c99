/**
 * Runs the wrangler CLI under Node (it misbehaves under Bun: edge-runtime reference §1.2),
 * offline and non-interactive (§1.1).
 */
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const WRANGLER = fileURLToPath(
  new URL('../../../node_modules/wrangler/bin/wrangler.js', import.meta.url),
)

export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_HIDE_BANNER: 'true',
}

export interface WranglerRun {
  exitCode: number
  output: string
}

/** Runs `wrangler …args` and collects its output (stdout and stderr together). */
export async function runWrangler(
  args: string[],
  env: Record<string, string> = {},
): Promise<WranglerRun> {
  const child = Bun.spawn(['node', WRANGLER, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...OFFLINE_ENV, CI: 'true', ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { exitCode, output: stdout + stderr }
}

/** Runs `wrangler …args` attached to this terminal, forwarding Ctrl-C; resolves to its exit code. */
export async function execWrangler(
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const child = Bun.spawn(['node', WRANGLER, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...OFFLINE_ENV, ...env },
    stdio: ['inherit', 'inherit', 'inherit'],
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
  return child.exited
}
