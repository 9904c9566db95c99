import { EdgepassError, type ErrorCode } from '../../errors'

/** The Stormpath 2100–2108 family. */
export type QueryErrorCode = Extract<ErrorCode, `query_${string}`>

/** How much of a client-supplied string a message repeats: values may be 10 KB of hostile text. */
const QUOTED_LENGTH = 64

/**
 * Quotes client input for a message: shortened, and JSON-escaped so that control characters
 * (`%00`, newlines) cannot forge log lines or break the response.
 */
export function quote(value: string): string {
  return JSON.stringify(value.length > QUOTED_LENGTH ? `${value.slice(0, QUOTED_LENGTH)}…` : value)
}

/** An error about one query parameter; both messages name it. */
export function queryError(
  code: QueryErrorCode,
  parameter: string,
  message: string,
  developerMessage = message,
): EdgepassError {
  return new EdgepassError(code, message, {
    field: parameter.slice(0, QUOTED_LENGTH),
    developerMessage,
  })
}
