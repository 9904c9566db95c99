/** The ceiling for bench/rest.ts: a bare Hono-on-Bun JSON handler, nothing else. */
import { Hono } from 'hono'

const app = new Hono()
app.get('/json', (c) =>
  c.json({ href: 'http://localhost/v1/accounts/x', email: 'user@example.com', status: 'ENABLED' }),
)
const server = Bun.serve({ port: Number(process.env.PORT), fetch: app.fetch })
console.log(`ready ${server.port}`)
