/**
 * What the sign-in pages add to the hosted pages' stylesheet (`src/ui/styles.ts`): text inputs
 * styled as its password inputs, a secondary button, the list of scopes and a button row.
 */
export const SIGN_IN_STYLES = `
input[type="text"] {
  display: block; width: 100%; padding: 0.625rem 0.75rem; border: 2px solid var(--border);
  border-radius: 0.5rem; background: transparent; color: inherit; font: inherit;
}
.scopes { margin: 0 0 1.25rem; padding-left: 1.25rem; }
.actions { display: grid; gap: 0.75rem; margin-top: 0.75rem; }
button.secondary {
  background: transparent; color: var(--accent); border: 2px solid var(--accent);
}
form + form { margin-top: 0.75rem; }
form + .hint { margin-top: 1rem; }
`
