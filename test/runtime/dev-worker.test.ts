import { expect, test } from 'bun:test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'
import { freePort, waitForReady } from '../harness/process'

test('npm run dev:worker serves the Worker under wrangler dev, offline, on a migrated local D1', async () => {
  const persist = await mkdtemp(join(tmpdir(), 'edgepass-dev-'))
  const port = freePort()
  const child = Bun.spawn(
    [process.execPath, 'src/runtime/cli/dev-worker.ts', '--persist-to', persist],
    { cwd: REPO_ROOT, env: { ...process.env, PORT: String(port) }, stdout: 'pipe', stderr: 'pipe' },
  )
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
  try {
    expect(await waitForReady(port, child, 25_000)).toBe(true)
    expect(await (await fetch(`http://127.0.0.1:${port}/version`)).json()).toMatchObject({
      runtime: 'workerd',
    })
  } finally {
    child.kill('SIGINT')
    await child.exited
    await output
    await rm(persist, { recursive: true, force: true })
  }
})
