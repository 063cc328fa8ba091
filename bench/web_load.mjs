// bench/web_load.mjs - a small keep-alive HTTP load generator, used by
// bench/web when wrk is not installed: C connections (env C, default 64)
// request PATH for SECS seconds with a Cookie header, then one line:
// requests/s, p50 and p95 latency, errors (non-200 answers).
//
//   node bench/web_load.mjs PORT COOKIE PATH SECS
import http from 'node:http';

const [port, cookie, path, secs] = [process.argv[2], process.argv[3], process.argv[4], Number(process.argv[5] || 10)];
const conns = Number(process.env.C || 64);
const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
let done = 0, errs = 0;
const lat = [];
const end = Date.now() + secs * 1000;
function one() {
  if (Date.now() > end) return Promise.resolve();
  const t = process.hrtime.bigint();
  return new Promise((res) => {
    const r = http.get({ host: '127.0.0.1', port, path, agent, headers: { Cookie: cookie } }, (resp) => {
      resp.resume();
      resp.on('end', () => {
        if (resp.statusCode !== 200) errs++;
        done++;
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        res();
      });
    });
    r.on('error', () => { errs++; res(); });
  }).then(one);
}
await Promise.all(Array.from({ length: conns }, one));
lat.sort((a, b) => a - b);
const q = (f) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * f))] : 0).toFixed(1);
console.log(`${(done / secs).toFixed(0)} req/s, p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, errors ${errs}`);
process.exit(0);
