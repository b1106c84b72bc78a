/**
 * Runs once when the Next.js server starts. Next's app router replaces the `Vary` header of every
 * page response with its own (vercel/next.js#85999), dropping the `Cookie` the proxy added;
 * `mergeVaryHeaders` makes the server merge them instead, so a shared cache never serves one
 * reader's page to another.
 */
export async function register() {
  if (process.env['NEXT_RUNTIME'] === 'nodejs') (await import('meterwall/node')).mergeVaryHeaders();
}
