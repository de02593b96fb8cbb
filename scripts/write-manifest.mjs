// write-manifest.mjs SOURCE OUT ORIGIN — writes the built manifest for one API origin.
//
// The source manifest is the release manifest (https://api.gumroad.com), with the pages'
// whole CSP (default-src 'none', then only what the pages load: their own scripts, the
// wasm, stylesheets and icons, and the API). For a build against another origin (the
// sandbox), the host permission and the CSP's connect-src name that origin instead of
// Gumroad's: a build can reach exactly one API origin.
import { readFileSync, writeFileSync } from 'node:fs';

const [source, out, origin] = process.argv.slice(2);
const RELEASE_ORIGIN = 'https://api.gumroad.com';
const manifest = JSON.parse(readFileSync(source, 'utf8'));
const url = new URL(origin);
if (url.origin !== origin) throw new Error(`not an origin: ${origin}`);

if (origin !== RELEASE_ORIGIN) {
  // A match pattern has no port: "http://127.0.0.1/*" matches every port of that host.
  manifest.host_permissions = [`${url.protocol}//${url.hostname}/*`];
  // Only connect-src names the API origin; every other directive stays as in the source.
  const csp = manifest.content_security_policy;
  csp.extension_pages = csp.extension_pages.replace(`connect-src 'self' ${RELEASE_ORIGIN}`, `connect-src 'self' ${origin}`);
  if (!csp.extension_pages.includes(`connect-src 'self' ${origin}`)) throw new Error('the CSP has no connect-src for the API origin');
  manifest.name = `${manifest.name} (${url.host})`;
}
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
