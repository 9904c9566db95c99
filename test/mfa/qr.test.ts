/**
 * QR codes for enrolment: the PNG (Stormpath's `base64QRImage`) decoded by pngjs and read back by
 * jsQR, two independent implementations; the SVG fit for a page whose CSP allows no script or
 * inline style attribute.
 */
import { describe, expect, test } from 'bun:test'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { qrPng, qrSvg } from '../../src/mfa/qr'
import { totpKeyUri } from '../../src/mfa/totp'

const KEY_URI = totpKeyUri({
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
  issuer: 'Acme Corp',
  accountName: 'ada.lovelace@example.com',
})

/** What a phone's camera would read from a PNG. */
function readQr(png: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(png))
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data
}

describe('QR codes', () => {
  test('the PNG is a valid image that reads back as the key URI', async () => {
    const png = await qrPng(KEY_URI)
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(readQr(png)).toBe(KEY_URI)
  })

  test('the PNG carries a quiet zone: its corners are white', async () => {
    const image = PNG.sync.read(Buffer.from(await qrPng(KEY_URI)))
    expect(image.width).toBe(image.height)
    expect(image.data[0]).toBe(255) // top-left pixel, red channel
    expect(image.data[image.data.length - 4]).toBe(255) // bottom-right
  })

  test('the SVG is one path with a title, no script, no style attribute', () => {
    const svg = qrSvg(KEY_URI, 'Scan with <your> app')
    expect(svg).toStartWith('<svg xmlns="http://www.w3.org/2000/svg"')
    expect(svg).toContain('aria-label="Scan with your app"')
    expect(svg).not.toMatch(/<script|style=|on\w+=/i)
    expect(svg.match(/<path /g)).toHaveLength(1)
  })

  test('long input still fits a QR code (a 255-character account name)', async () => {
    const long = totpKeyUri({
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      issuer: 'Acme',
      accountName: 'a'.repeat(255),
    })
    expect(readQr(await qrPng(long))).toBe(long)
  })
})
