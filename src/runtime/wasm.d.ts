/** wrangler bundles `import x from '….wasm'` as a precompiled module (Workers cannot compile WASM at run time). */
declare module '*.wasm' {
  const module: WebAssembly.Module
  export default module
}
