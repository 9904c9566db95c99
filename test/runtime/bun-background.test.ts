import { describe, expect, test } from 'bun:test'
import { runPeriodically, trackBackgroundWork } from '../../src/runtime/bun-background'

describe('Bun background work', () => {
  test('settled() waits for every promise handed to waitUntil, failed ones included', async () => {
    const background = trackBackgroundWork()
    const finished: string[] = []
    background.context.waitUntil(Bun.sleep(30).then(() => finished.push('slow')))
    background.context.waitUntil(Promise.reject(new Error('reported by the work itself')))
    background.context.waitUntil(Bun.sleep(5).then(() => finished.push('quick')))

    await background.settled(1_000)
    expect(finished).toEqual(['quick', 'slow'])
  })

  test('settled() gives up after its grace period on work that never ends', async () => {
    const background = trackBackgroundWork()
    background.context.waitUntil(new Promise(() => {}))
    const started = performance.now()
    await background.settled(40)
    expect(performance.now() - started).toBeGreaterThanOrEqual(35)
  })

  test('a periodic task runs at once, never overlaps itself, and stop() waits for the run in progress', async () => {
    let running = 0
    let mostAtOnce = 0
    let runs = 0
    let finished = 0
    const loop = runPeriodically(async () => {
      runs++
      running++
      mostAtOnce = Math.max(mostAtOnce, running)
      await Bun.sleep(25) // slower than the interval
      running--
      finished++
    }, 5)
    expect(runs).toBe(1)

    await Bun.sleep(80)
    await loop.stop()
    const runsAtStop = runs
    expect(mostAtOnce).toBe(1)
    expect(runs).toBeGreaterThanOrEqual(2)
    expect(finished).toBe(runs)

    await Bun.sleep(30)
    expect(runs).toBe(runsAtStop)
  })

  test('a task that throws does not stop the loop', async () => {
    let runs = 0
    const loop = runPeriodically(async () => {
      runs++
      throw new Error('one bad run')
    }, 5)
    await Bun.sleep(40)
    await loop.stop()
    expect(runs).toBeGreaterThanOrEqual(2)
  })
})
