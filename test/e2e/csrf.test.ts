/**
 * Cross-site request forgery from a same-site page in Chromium: a page on another port of the same
 * host (same site, so the SameSite=Strict staff cookie goes along) posts to percent-encoded API
 * paths. The Origin check refuses every one of them, and the victim's session and data are untouched.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort, newPage, startHarness, type Harness } from './harness.js';

describe('end to end: CSRF through percent-encoded paths', () => {
  let h: Harness;
  let attacker: http.Server;
  let attackerUrl = '';
  before(async () => {
    h = await startHarness();
    const api = h.product.publicUrl;
    const port = await freePort();
    // Same host name as the product, another port: same site, other origin.
    attackerUrl = `http://${new URL(api).hostname}:${port}`;
    attacker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><html lang="en"><title>prize</title>
        <form id="f" method="post" action="${api}/%61pi/staff/logout" enctype="text/plain"><input name="x" value="1"></form>
        <script>
          window.results = Promise.all([
            fetch('${api}/%61pi/canned-replies', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"title":"Forged","body":"x"}' }).then(() => 'sent', () => 'blocked'),
            fetch('${api}/api/canned-replie%73', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"title":"Forged 2","body":"x"}' }).then(() => 'sent', () => 'blocked'),
          ]).then(() => document.getElementById('f').submit());
        </script>`);
    });
    await new Promise<void>((resolve) => attacker.listen(port, '127.0.0.1', resolve));
  });
  after(async () => {
    attacker?.close();
    await h?.close();
  });

  it('refuses forged posts to encoded paths with the victim’s cookie: nothing created, still signed in', async () => {
    const admin = h.product.demoLogins!.find((l) => l.role === 'admin')!;
    const page = await newPage(h.browser);
    await page.goto(`${h.product.publicUrl}/admin/`);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const templatesBefore = await page.evaluate(async () => (await (await fetch('/api/canned-replies')).json()) as unknown[]);

    // The victim opens the attacker's page in another tab of the same browser.
    const sent: string[] = [];
    page.context().on('request', (r) => {
      if (r.url().includes('%61pi') || r.url().includes('replie%73')) sent.push(r.url());
    });
    const tab = await page.context().newPage();
    // The forged sign-out is a navigation, so its answer is visible; the no-cors fetches' answers are opaque.
    const logout = tab.waitForResponse((r) => r.url().includes('/%61pi/staff/logout'));
    await tab.goto(attackerUrl);
    assert.equal((await logout).status(), 403);
    await tab.close();
    assert.equal(sent.length, 3, `the browser sent the three forged requests with the cookie: ${sent.join(', ')}`);

    const after = await page.evaluate(async () => ({ me: (await fetch('/api/staff/me')).status, templates: (await (await fetch('/api/canned-replies')).json()) as unknown[] }));
    assert.equal(after.me, 200, 'the forged sign-out did not end the session');
    assert.equal(after.templates.length, templatesBefore.length, 'no template was created');
  });
});
