/** The sample app as a Worker: the upstream issuer comes as a binding (test/auth/framework.test.ts). */
import { sampleApp } from './sample-app'

let app: ReturnType<typeof sampleApp> | undefined

export default {
  fetch(request: Request, env: { ISSUER: string; BASE_URL: string }) {
    app ??= sampleApp({ issuer: env.ISSUER, baseUrl: env.BASE_URL })
    return app.fetch(request)
  },
}
