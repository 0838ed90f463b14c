// The tests' SMTP server (smtp_sink.py, aiosmtpd): a real relay whose Python MIME parser reads each
// mail as a mail program would, and appends it as a JSON line to `out`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sinkScript = join(dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');

// The sink on `port` (0: a free one); `refuse`: its --refuse rules. `cleanups` gets its kill.
export async function startSink(out, { port = 0, refuse = [], cleanups } = {}) {
  const child = spawn('/usr/bin/python3', [sinkScript, '--port', String(port), '--out', out,
    ...refuse.flatMap((rule) => ['--refuse', rule])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = await new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`the SMTP sink exited with ${code}`)));
  });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
  cleanups?.push(() => child.kill('SIGKILL'));
  return { port: listening, stop };
}

// Every mail the sink took, oldest first.
export function sunkMails(out) {
  if (!existsSync(out)) return [];
  return readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
