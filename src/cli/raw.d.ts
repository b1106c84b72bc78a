/** A file's text, inlined at build time (tsup.config.ts's `raw-text` plugin; Vite's `?raw` under vitest). */
declare module '*?raw' {
  const text: string;
  export default text;
}
