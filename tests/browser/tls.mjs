// HTTPS in a real browser (docs/web.md "HTTPS"): playwright-core drives
// Debian's chromium against `gnbv serve` with tls_certificate set to a
// throwaway self-signed certificate (the openssl CLI; the browser is told
// to accept it). Checks: the login form over https, a login through the
// form (Secure cookies and the https Origin, as the browser sends them),
// the dashboard after it, and HSTS on the answers.
//
//   node tls.mjs PATH/TO/gnbv
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GNBV = process.argv[2];
const PW = 'Mật khẩu thử 2022';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gnbv-browser-tls-'));
const db = path.join(tmp, 't.db');
let failed = 0, checks = 0;
function check(name, cond, detail = '') {
  checks++;
  if (!cond) { failed++; console.log(`FAIL ${name}${detail !== '' ? ': ' + detail : ''}`); }
  else console.log(`ok   ${name}`);
}

const cert = path.join(tmp, 'cert.pem'), key = path.join(tmp, 'key.pem'), pem = path.join(tmp, 'server.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
  '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
{ stdio: 'ignore' });
fs.writeFileSync(pem, fs.readFileSync(cert, 'utf8') + fs.readFileSync(key, 'utf8'));
fs.writeFileSync(path.join(tmp, 'tls.ini'), `tls_certificate = ${pem}\n`);
execFileSync(GNBV, ['--db', db, 'init'], { stdio: 'ignore' });
execFileSync(GNBV, ['--db', db, 'user', 'add', 'lan', '--role', 'commune', '--unit', '01366'], { input: PW + '\n' });

const server = spawn(GNBV, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--config', path.join(tmp, 'tls.ini')],
  { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
let port = 0;
server.stderr.on('data', (b) => { serverLog = (serverLog + b.toString()).slice(-20000); });
for (let i = 0; i < 200 && !port; i++) {
  const m = serverLog.match(/gnbv serve: .* on https:\/\/[^/]*:(\d+)\//);
  if (m) port = Number(m[1]);
  else await new Promise((r) => setTimeout(r, 50));
}
const base = `https://127.0.0.1:${port}`;

let browser = null;
try {
  check('the server started on https', port > 0, serverLog);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ javaScriptEnabled: false, ignoreHTTPSErrors: true, locale: 'vi-VN' });
  const page = await context.newPage();
  const first = await page.goto(base + '/login');
  check('the login form over https', first.status() === 200, first.status());
  check('with HSTS', /max-age=/.test((await first.allHeaders())['strict-transport-security'] || ''));
  await page.fill('input[name=name]', 'lan');
  await page.fill('input[name=password]', PW);
  await Promise.all([page.waitForURL(/\/dashboard/), page.click('button[type=submit]')]);
  check('a login through the form lands on the dashboard', page.url() === base + '/dashboard', page.url());
  const cookies = await context.cookies(base);
  const sess = cookies.find((c) => c.name === 'gnbv_session');
  check('the browser holds a Secure, HttpOnly, SameSite=Strict session cookie',
    sess && sess.secure && sess.httpOnly && sess.sameSite === 'Strict', JSON.stringify(sess));
  const again = await page.goto(base + '/dashboard');
  check('the dashboard answers with the session', again.status() === 200 && page.url().endsWith('/dashboard'), again.status());
} catch (e) {
  check('no exception', false, e.stack);
} finally {
  if (browser) await browser.close();
  const exited = server.exitCode !== null || server.signalCode !== null;
  const rc = exited ? server.exitCode
    : await new Promise((r) => { server.on('exit', (code) => r(code)); server.kill('SIGTERM'); });
  check('SIGTERM stops the server cleanly', rc === 0, rc);
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${checks} checks, ${failed} failed`);
process.exit(failed ? 1 : 0);
