/**
 * The passkey pages' one script (no build step, no dependency): every element with
 * `data-passkey="get"` or `"create"` becomes a button that runs the WebAuthn ceremony — asks
 * `data-options` for options, calls the browser, posts the answer to `data-submit` as JSON,
 * then follows the answer's `redirectTo`. `data-csrf` goes out as `X-CSRF-Token`. The buttons
 * stay hidden where the browser has no WebAuthn, so the pages work without it (passwords and
 * codes).
 */
export const PASSKEY_SCRIPT = `(() => {
  if (!window.PublicKeyCredential) return
  const enc = (buffer) => {
    let text = ''
    for (const byte of new Uint8Array(buffer)) text += String.fromCharCode(byte)
    return btoa(text).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '')
  }
  const dec = (text) => {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
    return Uint8Array.from(bin, (c) => c.charCodeAt(0))
  }
  const ids = (list) => (list || []).map((c) => ({ ...c, id: dec(c.id) }))
  const toCreate = (o) => ({ ...o, challenge: dec(o.challenge), user: { ...o.user, id: dec(o.user.id) }, excludeCredentials: ids(o.excludeCredentials) })
  const toGet = (o) => ({ ...o, challenge: dec(o.challenge), allowCredentials: ids(o.allowCredentials) })
  const toJson = (cred) => {
    const r = cred.response
    const response = { clientDataJSON: enc(r.clientDataJSON) }
    if (r.attestationObject) {
      response.attestationObject = enc(r.attestationObject)
      response.transports = r.getTransports ? r.getTransports() : []
    } else {
      response.authenticatorData = enc(r.authenticatorData)
      response.signature = enc(r.signature)
      if (r.userHandle) response.userHandle = enc(r.userHandle)
    }
    return { id: cred.id, rawId: enc(cred.rawId), type: cred.type, authenticatorAttachment: cred.authenticatorAttachment || undefined, clientExtensionResults: cred.getClientExtensionResults(), response }
  }
  for (const button of document.querySelectorAll('[data-passkey]')) {
    button.hidden = false
    button.addEventListener('click', async (event) => {
      event.preventDefault()
      const status = document.getElementById(button.dataset.status || '')
      const headers = { 'content-type': 'application/json' }
      if (button.dataset.csrf) headers['x-csrf-token'] = button.dataset.csrf
      button.disabled = true
      try {
        const start = await fetch(button.dataset.options, { method: 'POST', headers, body: '{}' })
        const ceremony = await start.json()
        if (!start.ok) throw new Error(ceremony.error_description || 'Passkeys are not available.')
        const create = button.dataset.passkey === 'create'
        const cred = create
          ? await navigator.credentials.create({ publicKey: toCreate(ceremony.options) })
          : await navigator.credentials.get({ publicKey: toGet(ceremony.options) })
        const nameField = document.getElementById(button.dataset.name || '')
        const body = { challengeId: ceremony.challengeId, response: toJson(cred), name: nameField ? nameField.value : undefined }
        const reply = await fetch(button.dataset.submit, { method: 'POST', headers, body: JSON.stringify(body) })
        const answer = await reply.json()
        if (!reply.ok) throw new Error(answer.error_description || 'The passkey was refused.')
        window.location.assign(answer.redirectTo || window.location.href)
      } catch (error) {
        if (status) status.textContent = error && error.name === 'NotAllowedError' ? 'The passkey request was cancelled.' : String((error && error.message) || error)
        button.disabled = false
      }
    })
  }
})()
`
