/**
 * QR codes for TOTP enrolment, drawn here (no external service ever sees a seed): an SVG for the
 * hosted pages and a PNG for Stormpath's `base64QRImage`, which SDK users put in an
 * `<img src="data:image/png;base64,…">`. qrcode-generator computes the modules; the PNG is
 * 8-bit greyscale, its pixels compressed with the runtime's `CompressionStream('deflate')`
 * (zlib, as PNG's IDAT requires), on Bun and Workers alike.
 */
import qrcode from 'qrcode-generator'

/** Quiet zone, in modules (ISO/IEC 18004 asks for four). */
const MARGIN = 4
/** Pixels per module in the PNG. */
const SCALE = 4

/** The dark modules of `text`'s QR code (byte mode, error correction M), row by row. */
function modulesOf(text: string): boolean[][] {
  const qr = qrcode(0, 'M')
  qr.addData(text)
  qr.make()
  const size = qr.getModuleCount()
  return Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, col) => qr.isDark(row, col)),
  )
}

/**
 * An SVG of `text`'s QR code: one path, no styles or scripts (the pages' CSP allows neither).
 *
 * @example
 * qrSvg('otpauth://totp/Acme:ada?secret=…') // '<svg xmlns=… viewBox="0 0 41 41">…</svg>'
 */
export function qrSvg(text: string, label = 'QR code'): string {
  const modules = modulesOf(text)
  const size = modules.length + 2 * MARGIN
  let path = ''
  modules.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (dark) path += `M${x + MARGIN} ${y + MARGIN}h1v1h-1z`
    }),
  )
  const title = label.replace(/[<>&"]/g, '')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" ` +
    `shape-rendering="crispEdges" role="img" aria-label="${title}">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
  )
}

/**
 * A PNG of `text`'s QR code.
 *
 * @example
 * const png = await qrPng(keyUri)
 * const base64QRImage = base64Encode(png)
 */
export async function qrPng(text: string): Promise<Uint8Array> {
  const modules = modulesOf(text)
  const pixels = (modules.length + 2 * MARGIN) * SCALE
  // One filter byte (0, none) then one byte per pixel, per scanline.
  const raw = new Uint8Array(pixels * (pixels + 1))
  for (let y = 0; y < pixels; y++) {
    const row = y * (pixels + 1)
    const moduleRow = modules[Math.floor(y / SCALE) - MARGIN]
    for (let x = 0; x < pixels; x++) {
      const dark = moduleRow?.[Math.floor(x / SCALE) - MARGIN] ?? false
      raw[row + 1 + x] = dark ? 0 : 255
    }
  }
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, pixels)
  view.setUint32(4, pixels)
  header.set([8, 0, 0, 0, 0], 8) // 8-bit depth, greyscale, deflate, adaptive filtering, no interlace
  return concat([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', await deflate(raw)),
    chunk('IEND', new Uint8Array(0)),
  ])
}

async function deflate(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

/** A PNG chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, data.length)
  out.set(new TextEncoder().encode(type), 4)
  out.set(data, 8)
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)))
  return out
}

let crcTable: Uint32Array | undefined

/** CRC-32 (ISO 3309, polynomial 0xEDB88320), as PNG specifies. */
function crc32(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  let crc = 0xffffffff
  for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
