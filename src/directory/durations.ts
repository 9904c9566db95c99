/**
 * Seconds as an ISO-8601 duration (`PT15M`, `PT4H`), as Stormpath and Cloudpass write them.
 *
 * @example
 * isoDuration(14400) // 'PT4H'
 */
export function isoDuration(seconds: number): string {
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const rest = seconds % 60
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest || seconds === 0 ? `${rest}S` : ''}`
}
