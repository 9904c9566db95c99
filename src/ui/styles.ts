/**
 * The hosted pages' one stylesheet, inlined in each page under the CSP nonce: no request for a
 * stylesheet, no build step. System fonts, a centred card, light and dark schemes, and a focus
 * ring that is always visible to keyboard users (WCAG 2.4.7).
 */
export const PAGE_STYLES = `
:root {
  color-scheme: light dark;
  --bg: #f3f4f6; --card: #ffffff; --text: #111827; --muted: #4b5563; --border: #9ca3af;
  --accent: #1d4ed8; --accent-text: #ffffff; --error: #b91c1c; --error-bg: #fef2f2;
  --focus: #f59e0b;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f172a; --card: #1e293b; --text: #f1f5f9; --muted: #cbd5e1; --border: #64748b;
    --accent: #93c5fd; --accent-text: #0f172a; --error: #fca5a5; --error-bg: #450a0a;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0; min-height: 100vh; display: grid; place-items: center; padding: 1.5rem;
  background: var(--bg); color: var(--text);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main {
  width: 100%; max-width: 28rem; padding: 2rem; border-radius: 0.75rem;
  background: var(--card); box-shadow: 0 1px 3px rgb(0 0 0 / 0.12), 0 8px 24px rgb(0 0 0 / 0.06);
}
h1 { margin: 0 0 0.75rem; font-size: 1.5rem; line-height: 1.25; }
p { margin: 0 0 1rem; }
.lead { color: var(--muted); overflow-wrap: anywhere; }
.field { margin: 0 0 1.25rem; }
label { display: block; margin-bottom: 0.25rem; font-weight: 600; }
.hint { margin: 0 0 0.5rem; color: var(--muted); font-size: 0.9375rem; }
.hint ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
input[type="password"] {
  display: block; width: 100%; padding: 0.625rem 0.75rem; border: 2px solid var(--border);
  border-radius: 0.5rem; background: transparent; color: inherit; font: inherit;
}
input[aria-invalid="true"] { border-color: var(--error); }
.error {
  margin: 0 0 0.5rem; padding: 0.375rem 0.625rem; border-left: 4px solid var(--error);
  background: var(--error-bg); color: var(--error); font-weight: 600;
}
button {
  display: block; width: 100%; padding: 0.75rem 1rem; border: 0; border-radius: 0.5rem;
  background: var(--accent); color: var(--accent-text); font: inherit; font-weight: 600;
  cursor: pointer;
}
button:hover { filter: brightness(1.1); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
`
