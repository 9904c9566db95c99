/**
 * `npm run build:worker`: bundles the Worker exactly as `wrangler deploy` would, offline, into
 * `.build/worker`, and prints its size, raw and gzipped (what counts against Workers' limits).
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { REPO_ROOT, runWrangler } from './wrangler'

export const WORKER_OUTDIR = join(REPO_ROOT, '.build/worker')

export interface WorkerBundle {
  outdir: string
  /** Modules in upload order: the entry first, then the others (`.js`, `.wasm`). */
  modules: string[]
  bytes: number
  gzipBytes: number
}

export async function buildWorkerBundle(outdir = WORKER_OUTDIR): Promise<WorkerBundle> {
  await rm(outdir, { recursive: true, force: true })
  const run = await runWrangler(['deploy', '--dry-run', '--outdir', outdir])
  if (run.exitCode !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${run.output}`)
  const modules = (await readdir(outdir))
    .filter((name) => name.endsWith('.js') || name.endsWith('.wasm'))
    .sort((a, b) => (a === 'worker.js' ? -1 : b === 'worker.js' ? 1 : a.localeCompare(b)))
  let bytes = 0
  let gzipBytes = 0
  for (const name of modules) {
    const content = await readFile(join(outdir, name))
    bytes += content.length
    gzipBytes += gzipSync(content, { level: 9 }).length
  }
  return { outdir, modules, bytes, gzipBytes }
}

export function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`
}

if (import.meta.main) {
  try {
    const bundle = await buildWorkerBundle()
    console.log(`Worker bundle in ${bundle.outdir}: ${bundle.modules.join(', ')}`)
    console.log(`size: ${formatKiB(bundle.bytes)}, gzip: ${formatKiB(bundle.gzipBytes)}`)
  } catch (error) {
    console.error(`edgepass: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
