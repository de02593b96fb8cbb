// The release build: what it may reach, what it may load, and that Chromium accepts it.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { EXTENSION_DIR, RELEASE_DIR, SANDBOX_URL, launchExtension, openPage } from '../harness.mjs';

const readJson = async (dir, file) => JSON.parse(await readFile(path.join(dir, file), 'utf8'));

async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
}

test('the release manifest grants only https://api.gumroad.com/*, storage (unlimited), alarms and identity; an AI endpoint only when the seller allows it', async () => {
  const manifest = await readJson(RELEASE_DIR, 'manifest.json');
  assert.equal(manifest.manifest_version, 3);
  assert.deepEqual(manifest.host_permissions, ['https://api.gumroad.com/*']);
  assert.deepEqual(manifest.permissions, ['storage', 'unlimitedStorage', 'alarms', 'identity']);
  // A fixed key keeps the extension id, and so the sign-in redirect URI, stable.
  assert.match(manifest.key, /^[A-Za-z0-9+/]+=*$/);
  assert.equal(manifest.optional_permissions, undefined);
  // The seller's own AI endpoint (optional): asked for at run time, one origin at a time.
  assert.deepEqual(manifest.optional_host_permissions, ['https://*/*', 'http://localhost/*', 'http://127.0.0.1/*']);
  assert.equal(manifest.content_scripts, undefined);
  assert.equal(manifest.externally_connectable, undefined);
  assert.equal(manifest.background.type, 'module');
  const csp = manifest.content_security_policy.extension_pages;
  // Nothing but the extension's own files, the one API origin and (for the seller's AI
  // endpoint, whose origin is chosen at run time and must also be allowed as a host
  // permission) https or this computer; by default nothing.
  assert.deepEqual(csp.split(';').map((d) => d.trim()), [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self' https://api.gumroad.com https: http://localhost:* http://127.0.0.1:*",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ]);
  const sandboxCsp = (await readJson(EXTENSION_DIR, 'manifest.json')).content_security_policy.extension_pages;
  assert.equal(sandboxCsp, csp.replace('https://api.gumroad.com', SANDBOX_URL));
});

test('the release wasm knows only the Gumroad origin; the sandbox build only the sandbox', async () => {
  const releaseWasm = await readFile(path.join(RELEASE_DIR, 'pkg/bulkroad_bg.wasm'));
  assert.ok(releaseWasm.includes('https://api.gumroad.com'));
  // (It may name localhost and 127.0.0.1 as places a seller's own AI model may run, never
  // the sandbox's origin.)
  assert.ok(!releaseWasm.includes(SANDBOX_URL));
  const sandboxWasm = await readFile(path.join(EXTENSION_DIR, 'pkg/bulkroad_bg.wasm'));
  assert.ok(sandboxWasm.includes(SANDBOX_URL));
  assert.ok(!sandboxWasm.includes('https://api.gumroad.com'));
  const sandboxManifest = await readJson(EXTENSION_DIR, 'manifest.json');
  assert.deepEqual(sandboxManifest.host_permissions, [`http://${new URL(SANDBOX_URL).hostname}/*`]);
});

test('no remote code: every script and stylesheet is packaged', async () => {
  for (const file of await filesUnder(RELEASE_DIR)) {
    if (!/\.(html|js|css)$/.test(file)) continue;
    const text = await readFile(file, 'utf8');
    assert.doesNotMatch(text, /<script[^>]+src=["']?(https?:)?\/\//i, file);
    assert.doesNotMatch(text, /<link[^>]+href=["']?(https?:)?\/\//i, file);
    assert.doesNotMatch(text, /\bimport\s*\(\s*["'`]https?:/i, file);
    assert.doesNotMatch(text, /\bimportScripts\s*\(/, file);
    assert.doesNotMatch(text, /\beval\s*\(|new Function\s*\(/, file);
  }
});

test('Chromium loads the release build: the worker starts and the popup asks for a token', async () => {
  const ext = await launchExtension(RELEASE_DIR);
  try {
    const tab = await openPage(ext);
    await tab.getByLabel('Access token').waitFor();
    // The worker answers only once its wasm core has started; the core names its origin.
    const reply = await tab.evaluate(() => chrome.runtime.sendMessage({ type: 'worker.ping', payload: {} }));
    assert.equal(reply.ok, true);
    assert.equal(reply.value.apiOrigin, 'https://api.gumroad.com');
    // The page works under its CSP: a form goes to the core and its answer is shown,
    // and nothing the page does is refused by the policy.
    await tab.evaluate(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
    });
    await tab.getByLabel('Access token').fill('two words');
    await tab.getByRole('button', { name: 'Save' }).click();
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /must not contain spaces/);
    assert.deepEqual(await tab.evaluate(() => window.cspViolations), []);
    const errors = ext.consoleLines.filter((line) => /error|refused|content security/i.test(line));
    assert.deepEqual(errors, []);
  } finally {
    await ext.close();
  }
});
