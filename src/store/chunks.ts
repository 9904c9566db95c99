/**
 * D1 refuses statements with more than 100 bound parameters (`too many SQL variables`), so
 * multi-row inserts and `IN (…)` lists are split (edge-runtime reference §2, rule 2).
 */
export const MAX_BOUND_PARAMETERS = 100

/**
 * Splits `items` into groups whose statements stay within the parameter limit, given how many
 * parameters one item binds (the columns of a row, or 1 for an `IN` list).
 *
 * @example
 * chunkForParameters(rows, 6) // groups of at most 16 rows
 */
export function chunkForParameters<T>(
  items: readonly T[],
  parametersPerItem: number,
  reserved = 0,
): T[][] {
  const size = Math.floor((MAX_BOUND_PARAMETERS - reserved) / parametersPerItem)
  if (size < 1) throw new RangeError(`${parametersPerItem} parameters per item exceed the limit`)
  const chunks: T[][] = []
  for (let start = 0; start < items.length; start += size) {
    chunks.push(items.slice(start, start + size))
  }
  return chunks
}
