// Notifications benchmark (docs/notifications.md, docs/webhooks.md): the real kring-server on loopback,
// a local SMTP sink (tests/bench/smtp_count_sink.py) and a local webhook receiver (tests/bench/webhook_count_receiver.mjs), each in a process of its own. Each op
// is a reply that tells one member by mail (its thread's asker, one of --askers, so that mails are not
// merged into one member's burst) and one endpoint by webhook. Measures what the outbox costs
// an op's acknowledgement (p50 and p99, notifications on against off), how fast the outbox drains to
// the sinks, and the server's memory while the webhook receiver is down. Prints markdown tables.
// The acknowledgements are timed twice: with the clients sending as fast as they are answered (the
// cores full: what the sinks and deliveries take from the clients and the server shows), and paced at
// --paced ops/s over all clients (a steady load below what the cores can do; each op timed from when
// it was due to go, so a late answer delays the next op's time too).
//
//   node tests/bench/notifications_bench.mjs [--ops 4000] [--clients 8] [--askers 200] [--paced 1000]
//     [--server <kring-server>] [--wasm <kring-core.js>] [--store sqlite|postgres]
// --store postgres: the same runs on PostgreSQL (a server of the bench's own, scripts/test-postgres.sh, and a
// fresh database for each run), one kring-server delivering.
//   BENCH_CONNECTIONS=8 sets the site's email.connections (default 4).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, setPriority, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../support/frames.mjs';
import { spawnKringServer } from '../support/kring_server.mjs';
import { loadCore, signToken, SyncNodeClient } from '../support/sync_node_client.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = parseArgs(process.argv.slice(2), {
  server: join(root, 'build/native/host-adapters/server/kring-server'),
  wasm: join(root, 'build/wasm/wasm/kring-core.js'),
  ops: '4000',
  clients: '8',
  askers: '200',
  paced: '1000',
  store: 'sqlite',
});
const pacedRate = Number(args.paced);
const ops = Number(args.ops);
const clientCount = Number(args.clients);
const askerCount = Number(args.askers);
// Each thread has one writer, so a reply tells its asker alone (the writer follows only its own threads).
if (askerCount % clientCount !== 0) {
  console.error('notifications bench: --askers must be a multiple of --clients');
  process.exit(2);
}
const metricsKey = 'notifications-bench-metrics-0123456789';
const secret = 'notifications-bench-secret-0123456789-ab';
const hookSecret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
for (const [what, path] of [['kring-server', args.server], ['the wasm core', args.wasm]]) {
  if (!existsSync(path)) {
    console.error(`notifications bench: ${what} is missing (${path}); run make native wasm`);
    process.exit(2);
  }
}
const core = await loadCore(resolve(args.wasm));
const onPostgres = args.store === 'postgres';

// --postgres: the bench's own database server, and a fresh database for each run.
const postgresDir = join(root, 'build/bench-postgres-notifications');
let postgresServer = '';
let databases = 0;
if (onPostgres) {
  const started = spawnSync('bash', [join(root, 'scripts/test-postgres.sh'), 'start', postgresDir], { stdio: 'inherit' });
  if (started.status !== 0) {
    console.error('notifications bench: could not start PostgreSQL (scripts/test-postgres.sh)');
    process.exit(2);
  }
  postgresServer = readFileSync(join(postgresDir, 'url'), 'utf8').trim();
  process.on('exit', () => spawnSync('bash', [join(root, 'scripts/test-postgres.sh'), 'stop', postgresDir]));
}
function database(directory) {
  if (!onPostgres) return `sqlite:${join(directory, 'kring.db')}`;
  const name = `kring_notify_bench_${process.pid}_${++databases}`;
  const made = spawnSync('psql', [postgresServer, '-Atqc', `CREATE DATABASE ${name}`], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`psql: ${made.stderr}`);
  return postgresServer.slice(0, postgresServer.lastIndexOf('/') + 1) + name;
}

// A child process that prints "listening <port>"; resolves with the child and its port.
async function listening(command, argv, what) {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((done, fail) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening (\d+)/.exec(seen);
      if (match) done(Number(match[1]));
    });
    child.on('exit', (code) => fail(new Error(`${what} exited with ${code}`)));
  });
  return { child, port };
}

async function sink(out) {
  const { child, port } = await listening('/usr/bin/python3',
    [join(root, 'tests/bench/smtp_count_sink.py'), '--port', '0', '--out', out], 'the SMTP sink');
  // Counted as the file grows: reading it whole every poll would cost the machine more than the mails.
  let lines = 0;
  let offset = 0;
  const count = () => {
    if (!existsSync(out)) return 0;
    const size = statSync(out).size;
    if (size > offset) {
      const fd = openSync(out, 'r');
      const chunk = Buffer.alloc(size - offset);
      readSync(fd, chunk, 0, chunk.length, offset);
      closeSync(fd);
      for (const byte of chunk) if (byte === 10) lines += 1;
      offset = size;
    }
    return lines;
  };
  return { port, count, child, stop: () => child.kill('SIGTERM') };
}

async function receiver() {
  const { child, port } = await listening(process.execPath, [join(root, 'tests/bench/webhook_count_receiver.mjs')],
    'the webhook receiver');
  const count = async () => Number(await (await fetch(`http://127.0.0.1:${port}/count`)).text());
  return { port, count, child, stop: () => child.kill('SIGTERM') };
}

async function until(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check()) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const vmHwmKb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

// One run: `notify` says whether the site mails and calls its webhook; `hookPort` where the webhook goes.
async function run({ notify, smtpPort, hookPort, hooks, paced = 0 }) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-notify-bench-'));
  const site = { id: 'shop', allowedOrigins: ['*'], tokenSecret: secret, adminKey: 'notify-bench-admin-0123456789-ab',
    threadPages: 'https://shop.example/p/{thread}',
    policy: { settings: { ratePostsTrust0: 1000000, ratePostsTrust1: 1000000, spamHoldScore: 1000000,
      newMemberUntilTrustLevel: 0, threadCreateMinTrustLevel: 0, privilegeComment: 0 } } };
  if (notify) {
    site.email = { smtpUrl: `smtp://127.0.0.1:${smtpPort}`, requireTls: false, from: 'bench@shop.example',
      publicUrl: 'http://127.0.0.1', memberMailsPerHour: 1000000, siteMailsPerDay: 1000000, connections: Number(process.env.BENCH_CONNECTIONS ?? 4) };
    site.webhooks = { endpoints: [{ url: `http://127.0.0.1:${hookPort}/hook`, secrets: [hookSecret], events: ['post.created'] }],
      allowPrivateTargets: ['127.0.0.1'] };
  }
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites: [site] }));
  writeFileSync(join(directory, 'metrics-key'), metricsKey);
  const server = await spawnKringServer(resolve(args.server), ['--port', '0', '--db', database(directory),
    '--sites', join(directory, 'sites.json'), '--metrics-key-file', join(directory, 'metrics-key'), '--outbox-first-retry-ms', '1000', '--ops-per-second', '100000', '--ops-burst', '100000',
    '--member-ops-per-second', '100000', '--member-ops-burst', '100000',
    // Without these a writer past 200 frames a second is closed as a flood (what stopped 10,000-op runs).
    '--frames-per-second', '100000', '--frames-burst', '100000'], process.env.BENCH_LOG ? 'inherit' : 'pipe');
  const connect = async (sub, email) => {
    const token = signToken({ site: 'shop', secret, sub, name: sub, role: 'member', seconds: 3600,
      claims: email ? { email, email_verified: true } : {} });
    const client = new SyncNodeClient(core, { port: server.port, site: 'shop', token, clientId: `${sub}-${Date.now()}` });
    await client.connect();
    return client;
  };
  const roots = [];
  for (let i = 0; i < askerCount; i += 1) {
    const asker = await connect(`asker-${i}`, `asker-${i}@example.com`);
    await asker.submit({ kind: 'create_thread', key: `bench-${i}`, title: `Bench ${i}`, threadKind: 'discussion' });
    roots.push((await asker.submit({ kind: 'post', threadKey: `bench-${i}`, body: 'Start' })).id);
    asker.close();
  }
  const writers = await Promise.all(Array.from({ length: clientCount }, (_, i) => connect(`writer-${i}`)));
  const latencies = [];
  const refused = [];
  // The threads' first posts were webhooks too: only the replies' are counted.
  if (hooks) await until(async () => (await hooks.count()) >= askerCount, 60_000);
  const hooksBefore = hooks ? await hooks.count() : 0;
  const started = Date.now();
  const startedAt = process.hrtime.bigint();
  await Promise.all(writers.map(async (writer, w) => {
    for (let n = w; n < ops; n += clientCount) {
      const thread = n % askerCount;
      let sent = process.hrtime.bigint();
      if (paced > 0) {
        const due = startedAt + BigInt(Math.round((n * 1e9) / paced));
        if (due > sent) await new Promise((done) => setTimeout(done, Number(due - sent) / 1e6));
        sent = due;
      }
      await writer.submit({ kind: 'post', threadKey: `bench-${thread}`, parentId: roots[thread], body: `Reply number ${n}` })
        .catch((error) => { refused.push(error.code ?? error.message); });
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
    }
  }));
  const submitted = Date.now();
  for (const client of writers) client.close();
  if (refused.length > 0) throw new Error(`${refused.length} ops refused (${[...new Set(refused)].join(', ')}): the bench measures accepted ops`);
  return { server, directory, latencies: latencies.sort((a, b) => a - b), started, submitted, hooksBefore };
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
console.log(`\nNotifications on ${onPostgres ? 'PostgreSQL' : 'SQLite'} (${ops} replies from ${clientCount} clients, each telling one member by mail and one endpoint by webhook; ${machine})\n`);

const off = await run({ notify: false });
off.server.child.kill('SIGTERM');
rmSync(off.directory, { recursive: true, force: true });
const offPaced = await run({ notify: false, paced: pacedRate });
offPaced.server.child.kill('SIGTERM');
rmSync(offPaced.directory, { recursive: true, force: true });

const out = join(mkdtempSync(join(tmpdir(), 'kring-notify-sink-')), 'mails.jsonl');
const smtp = await sink(out);
const hooks = await receiver();
const on = await run({ notify: true, smtpPort: smtp.port, hookPort: hooks.port, hooks });
const hooked = async () => (await hooks.count()) - on.hooksBefore;
// Both sinks watched together: each one's time is when its last delivery came. A member's
// notifications due together go as one mail, so the mails are counted by what they carried.
const mailedNotifications = async (server) => {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`,
    { headers: { Authorization: `Bearer ${metricsKey}` } })).text();
  return Number(/^kring_mail_notifications_sent_total (\d+)$/m.exec(text)?.[1] ?? 0);
};
let mailsDone = 0;
let hooksDone = 0;
let carried = 0;
const deadline = Date.now() + 600_000;
while ((!mailsDone || !hooksDone) && Date.now() < deadline) {
  if (!mailsDone && (carried = await mailedNotifications(on.server)) >= ops) mailsDone = Date.now();
  if (!hooksDone && (await hooked()) >= ops) hooksDone = Date.now();
  await new Promise((done) => setTimeout(done, 50));
}
const mailed = mailsDone > 0;
const hooksDelivered = await hooked();
const mailsSent = smtp.count();
const memoryUp = vmHwmKb(on.server.child.pid);
on.server.child.kill('SIGTERM');
rmSync(on.directory, { recursive: true, force: true });
// The same with the ops paced, the sinks taking every delivery as they come; then again with the
// sinks at nice 19, standing in for a relay and a receiver on other machines: they take only the
// cores' idle time, and what remains is the server's own cost.
const onPaced = await run({ notify: true, smtpPort: smtp.port, hookPort: hooks.port, paced: pacedRate });
onPaced.server.child.kill('SIGTERM');
rmSync(onPaced.directory, { recursive: true, force: true });
for (const child of [smtp.child, hooks.child]) setPriority(child.pid, 19);
const onPacedAway = await run({ notify: true, smtpPort: smtp.port, hookPort: hooks.port, paced: pacedRate });
onPacedAway.server.child.kill('SIGTERM');
rmSync(onPacedAway.directory, { recursive: true, force: true });
smtp.stop();

// The receiver is down: every webhook waits in the outbox (SQLite), none in memory.
hooks.stop();
const downSink = await sink(`${out}.down`);
const down = await run({ notify: true, smtpPort: downSink.port, hookPort: hooks.port });
while (await mailedNotifications(down.server) < ops && Date.now() < deadline + 600_000) {
  await new Promise((done) => setTimeout(done, 50));
}
const memoryDown = vmHwmKb(down.server.child.pid);
down.server.child.kill('SIGTERM');
rmSync(down.directory, { recursive: true, force: true });
downSink.stop();

const ms = (value) => `${value.toFixed(2)} ms`;
const rate = (count, from, to) => `${Math.round(count / ((to - from) / 1000))} /s`;
console.log('| op acknowledgement | notifications off | on | on / off |');
console.log('|---|---|---|---|');
for (const [load, a, b] of [[`as fast as answered (on: ${rate(ops, on.started, on.submitted)})`, off, on],
  [`paced at ${pacedRate} /s`, offPaced, onPaced], [`paced at ${pacedRate} /s, sinks at nice 19`, offPaced, onPacedAway]]) {
  for (const [name, q] of [['p50', 0.5], ['p99', 0.99]]) {
    const x = quantile(a.latencies, q);
    const y = quantile(b.latencies, q);
    console.log(`| ${name}, ${load} | ${ms(x)} | ${ms(y)} | ${(y / x).toFixed(2)} |`);
  }
}
console.log('\n| outbox | delivered | rate (first op to last delivery) | target |');
console.log('|---|---|---|---|');
console.log(`| notifications mailed to the local SMTP sink | ${carried} in ${mailsSent} mails | ${rate(carried, on.started, mailsDone || Date.now())}; mails ${rate(mailsSent, on.started, mailsDone || Date.now())} | ≥ 2,000 /s |`);
console.log(`| webhooks to the local receiver | ${hooksDelivered} | ${rate(hooksDelivered, on.started, hooksDone || Date.now())} | ≥ 2,000 /s |`);
console.log('\n| server memory (VmHWM) | webhook receiver up | down (every webhook waiting) |');
console.log('|---|---|---|');
console.log(`| after ${ops} ops and their mails | ${(memoryUp / 1024).toFixed(1)} MB | ${(memoryDown / 1024).toFixed(1)} MB |`);
if (!mailed || !hooksDone) {
  console.error('notifications bench: the outbox did not drain within 10 minutes');
  process.exit(1);
}
