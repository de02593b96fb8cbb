// Sign in with Gumroad: authorization code + PKCE + state through Chrome's auth window,
// driven on the sandbox's consent page as a seller would; Deny, a tampered state and an
// expired code each say why and keep nothing; a token that expires mid-job is renewed once
// and the job ends exact; a revoked grant turns the account to "reconnect" and its job
// resumes after signing in again; forgetting a signed-in account revokes its token.
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  FULL_VIEW,
  extensionStorage,
  forgetIfConnected,
  live,
  openPage,
  sandbox,
  tokenKeys,
  useExtension,
  waitForJob,
} from '../harness.mjs';

const context = useExtension();
const redirectUri = () => `https://${context.ext.extensionId}.chromiumapp.org/gumroad`;

/** The Application ID of a public application the seller made on the sandbox, with the
 * extension's redirect URI registered (a reset clears applications). */
async function registeredApp() {
  const app = await sandbox.registerApplication({ redirectUris: [redirectUri()], name: 'My Bulkroad' });
  return app.client_id;
}

/** A full view with no account, the seller's own application entered. */
async function signInPage() {
  const clientId = await registeredApp();
  const tab = await openPage(context.ext, FULL_VIEW);
  await forgetIfConnected(tab);
  // Open until an application id is saved; later tests open it as a seller would.
  await tab.locator('#redirect-uri', { hasText: redirectUri() }).waitFor({ state: 'attached' });
  if (!(await tab.locator('#own-app').evaluate((details) => details.open))) await tab.getByText('Use my own application').click();
  await tab.locator('#redirect-uri', { hasText: redirectUri() }).waitFor();
  await tab.getByLabel('Application ID').fill(clientId);
  await tab.getByRole('button', { name: 'Use this ID' }).click();
  await tab.waitForFunction((id) => document.querySelector('#client-id').value === id, clientId);
  return tab;
}

/** Presses "Sign in with Gumroad" and hands over the consent page it opens. */
async function openConsent(tab) {
  const [consent] = await Promise.all([context.ext.context.waitForEvent('page'), tab.getByRole('button', { name: 'Sign in with Gumroad' }).click()]);
  await consent.waitForLoadState();
  assert.ok(consent.url().startsWith(`${new URL(consent.url()).origin}/oauth/authorize?`), consent.url());
  return consent;
}

const tokenRequests = async (grant) =>
  (await sandbox.requests()).filter((r) => r.method === 'POST' && r.path === '/oauth/token' && (r.body ?? '').includes(`grant_type=${grant}`));

beforeEach(async () => {
  await sandbox.oauthConfig({ accessTokenExpiresIn: null });
});

describe('signing in', () => {
  test('Authorize on the consent page connects the account: PKCE S256, state, code in a form body only', async () => {
    const tab = await signInPage();
    const consent = await openConsent(tab);
    const authorize = new URL(consent.url());
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
    assert.match(authorize.searchParams.get('state'), /^[A-Za-z0-9_-]{20,}$/);
    assert.equal(authorize.searchParams.get('scope'), 'view_profile edit_products view_sales');
    assert.equal(authorize.searchParams.get('redirect_uri'), redirectUri());
    await Promise.all([tab.waitForEvent('load'), consent.getByRole('button', { name: 'Authorize' }).click()]);
    await tab.locator('body[data-state="connected"]').waitFor();
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, live(await sandbox.state()).length);

    const [exchange] = await tokenRequests('authorization_code');
    assert.match(exchange.body, /code_verifier=[A-Za-z0-9_-]{43}/);
    assert.ok(!exchange.url.includes('code='), 'the code travels in the body, never the URL');
    const stored = await extensionStorage(tab);
    const [tokenKey] = tokenKeys(stored);
    const grantKey = tokenKey.replace('auth.token', 'auth.grant');
    assert.ok(stored[grantKey].refreshToken, 'the refresh token is kept');
    assert.equal(stored[grantKey].expiresIn, null, "Gumroad's tokens never expire");
    for (const [key, value] of Object.entries(stored)) {
      if (key !== tokenKey) assert.ok(!JSON.stringify(value).includes(stored[tokenKey]), `the access token is only under ${tokenKey} (found in ${key})`);
    }
    const access = stored[tokenKey];
    for (const r of await sandbox.requests()) {
      assert.ok(!r.url.includes(access) && !(r.body ?? '').includes(access), `the access token in the URL or body of ${r.method} ${r.path}`);
      if (r.token?.startsWith('issued')) assert.equal(r.authorization, `Bearer ${access}`);
    }
    assert.ok(context.ext.consoleLines.every((line) => !line.includes(access)), 'the access token in a console line');
    await tab.close();
  });

  test('Deny keeps nothing and says so', async () => {
    const tab = await signInPage();
    // Read-only asks for no edit_products.
    await tab.getByLabel('Read-only (no changes to products)').check();
    const consent = await openConsent(tab);
    assert.equal(new URL(consent.url()).searchParams.get('scope'), 'view_profile view_sales');
    await consent.getByRole('button', { name: 'Deny' }).click();
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /Deny/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    assert.equal((await tokenRequests('authorization_code')).length, 0);
    await tab.close();
  });

  test('an answer whose state is not the one sent is refused before any exchange', async () => {
    const tab = await signInPage();
    const consent = await openConsent(tab);
    await consent.evaluate(() => {
      document.querySelector('input[name="state"]').value = 'forged-state-forged-state-forged';
    });
    await consent.getByRole('button', { name: 'Authorize' }).click();
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /did not come from the sign-in/);
    assert.equal((await tokenRequests('authorization_code')).length, 0, 'the code was never exchanged');
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });

  test('a code that expired before the exchange is refused with a clear message', async () => {
    const tab = await signInPage();
    const consent = await openConsent(tab);
    // The exchange waits on the sandbox while the code's ten minutes run out.
    await sandbox.faults({ latency_ms: 1_500 });
    // The window closes once Gumroad has issued the code (its redirect ends the flow); the
    // clock moves on while the exchange is on its way, however busy the machine is.
    const issued = consent.waitForEvent('close', { timeout: 20_000 });
    const clicked = consent.getByRole('button', { name: 'Authorize' }).click();
    await issued;
    await sandbox.oauthConfig({ advanceSeconds: 601 });
    await clicked;
    await tab.getByRole('alert').waitFor({ timeout: 20_000 });
    await sandbox.faults({});
    assert.match(await tab.getByRole('alert').textContent(), /expired|already used/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });

  test('an application id Gumroad does not know shows its error page; closing it says what to check', async () => {
    const tab = await signInPage();
    await tab.getByLabel('Application ID').fill('UnknownApplicationId0123456789abcdefghijklm');
    await tab.getByRole('button', { name: 'Use this ID' }).click();
    await tab.waitForFunction(() => document.querySelector('#client-id').value.startsWith('Unknown'));
    // Chrome either shows the error page (the seller closes it) or, as the page answers
    // 401, gives up on it at once: both end in the same message.
    const opened = context.ext.context.waitForEvent('page', { timeout: 10_000 }).catch(() => null);
    await tab.getByRole('button', { name: 'Sign in with Gumroad' }).click();
    const errorPage = await Promise.race([opened, tab.getByRole('alert').waitFor().then(() => null)]);
    if (errorPage) {
      await errorPage.getByText('An error has occurred').waitFor();
      await errorPage.close();
    }
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /application ID/);
    const log = await sandbox.requests();
    assert.ok(log.some((r) => r.path === '/oauth/authorize'), 'the authorize page was asked for');
    assert.equal(log.filter((r) => r.path === '/oauth/token').length, 0, 'nothing exchanged');
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });

  test('no network at the exchange: a clear message, nothing kept', async () => {
    const tab = await signInPage();
    const consent = await openConsent(tab);
    await sandbox.faults({ rate_drop: 1 });
    await consent.getByRole('button', { name: 'Authorize' }).click();
    await tab.getByRole('alert').waitFor({ timeout: 60_000 });
    await sandbox.faults({});
    assert.match(await tab.getByRole('alert').textContent(), /Could not reach Gumroad|connection/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });

  test('closing the sign-in window keeps nothing and says what to check', async () => {
    const tab = await signInPage();
    const consent = await openConsent(tab);
    await consent.close();
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /sign-in window closed/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });
});

describe('the life of a token', () => {
  async function signedIn() {
    const tab = await signInPage();
    const consent = await openConsent(tab);
    await Promise.all([tab.waitForEvent('load'), consent.getByRole('button', { name: 'Authorize' }).click()]);
    await tab.locator('body[data-state="connected"]').waitFor();
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, live(await sandbox.state()).length);
    return tab;
  }

  async function applyToAll(tab, code) {
    await tab.getByRole('tab', { name: 'Products' }).click();
    await tab.getByRole('button', { name: 'Select all matching' }).click();
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill(code);
    await tab.locator('#code-amount').fill('10');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();
    const creates = Number((await tab.locator('#preview-summary').textContent()).match(/(\d+) to create/)[1]);
    await tab.locator('#preview-confirm').click();
    return creates;
  }

  const codesOf = async (code) => (await sandbox.state()).offer_codes.filter((c) => !c.deleted_at && c.code === code);

  test('a job that runs across the token expiry finishes exact with one refresh', async () => {
    await sandbox.oauthConfig({ accessTokenExpiresIn: 3600 });
    const tab = await signedIn();
    await sandbox.faults({ latency_ms: 100 });
    const creates = await applyToAll(tab, 'RENEW10');
    await tab.waitForFunction(() => Number(document.querySelector('#job-banner progress')?.value) >= 3, null, { timeout: 60_000 });
    await sandbox.oauthConfig({ advanceSeconds: 3601 });
    await waitForJob(tab, 'Apply RENEW10');
    await sandbox.faults({});
    const codes = await codesOf('RENEW10');
    assert.equal(codes.length, creates);
    assert.equal(new Set(codes.map((c) => c.product_id)).size, creates, 'one code per product');
    assert.equal((await tokenRequests('refresh_token')).length, 1, 'exactly one refresh');
    await tab.close();
  });

  test('a grant revoked on Gumroad turns the account to reconnect; the job resumes after signing in again', async () => {
    const tab = await signedIn();
    await sandbox.faults({ latency_ms: 100 });
    const creates = await applyToAll(tab, 'AGAIN10');
    await tab.waitForFunction(() => Number(document.querySelector('#job-banner progress')?.value) >= 3, null, { timeout: 60_000 });
    await sandbox.revokeAllIssued({ store: 0 });
    await tab.locator('body[data-state="disconnected"]').waitFor({ timeout: 60_000 });
    await sandbox.faults({});
    assert.match(await tab.locator('#connect-note').textContent(), /no longer accepts/);

    const consent = await openConsent(tab);
    await Promise.all([tab.waitForEvent('load'), consent.getByRole('button', { name: 'Authorize' }).click()]);
    await tab.locator('#job-banner[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    await tab.getByRole('button', { name: 'Resume' }).click();
    await waitForJob(tab, 'Apply AGAIN10');
    const codes = await codesOf('AGAIN10');
    assert.equal(codes.length, creates);
    assert.equal(new Set(codes.map((c) => c.product_id)).size, creates, 'one code per product');
    await tab.close();
  });

  test('forgetting a signed-in account revokes its token on Gumroad first', async () => {
    const tab = await signedIn();
    await sandbox.clearRequests();
    await tab.getByRole('button', { name: 'Forget account' }).click();
    await tab.locator('#forget-dialog').waitFor();
    assert.match(await tab.locator('#forget-revoke').textContent(), /revoke/);
    await Promise.all([tab.waitForEvent('load'), tab.getByRole('button', { name: 'Forget', exact: true }).click()]);
    const revokes = (await sandbox.requests()).filter((r) => r.method === 'POST' && r.path === '/oauth/revoke');
    assert.equal(revokes.length, 1);
    assert.ok(revokes[0].body.includes('client_id='), 'revoked as the public application');
    const { issued } = await sandbox.oauthState();
    assert.ok(issued.length > 0 && issued.every((t) => t.revoked), 'every issued token is revoked');
    // Nothing is sent with the token afterwards.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.deepEqual((await sandbox.requests()).filter((r) => r.token?.startsWith('issued')).map((r) => r.path), []);
    await tab.close();
  });
});
