import { expect, test } from 'bun:test'
import { REPO_ROOT } from '../../src/runtime/cli/wrangler'

test('npm run build:worker bundles the Worker offline and prints its gzipped size', async () => {
  const child = Bun.spawn([process.execPath, 'src/runtime/cli/build-worker.ts'], {
    cwd: REPO_ROOT,
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const output = await new Response(child.stdout).text()
  expect(await child.exited).toBe(0)
  expect(output).toMatch(/^Worker bundle in .+\.build\/worker: worker\.js/m)
  const gzip = /gzip: ([\d.]+) KiB/.exec(output)
  expect(Number(gzip?.[1])).toBeGreaterThan(10)
  // Workers' compressed script limit is 3 MiB on the free plan; stay far below it.
  expect(Number(gzip?.[1])).toBeLessThan(3 * 1024)
})
