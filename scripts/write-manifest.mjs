// write-manifest.mjs SOURCE OUT ORIGIN — writes the built manifest for one API origin.
//
// The source manifest is the release manifest (https://api.gumroad.com). For a build
// against another origin (the sandbox), the host permission and the CSP's connect-src
// name that origin instead of Gumroad's: a build can reach exactly one API origin.
import { readFileSync, writeFileSync } from 'node:fs';

const [source, out, origin] = process.argv.slice(2);
const RELEASE_ORIGIN = 'https://api.gumroad.com';
const manifest = JSON.parse(readFileSync(source, 'utf8'));
const url = new URL(origin);
if (url.origin !== origin) throw new Error(`not an origin: ${origin}`);

if (origin !== RELEASE_ORIGIN) {
  // A match pattern has no port: "http://127.0.0.1/*" matches every port of that host.
  manifest.host_permissions = [`${url.protocol}//${url.hostname}/*`];
  const csp = manifest.content_security_policy;
  csp.extension_pages = csp.extension_pages.replace(RELEASE_ORIGIN, origin);
  manifest.name = `${manifest.name} (${url.host})`;
}
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
