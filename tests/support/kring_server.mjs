// Starts the real kring-server on a free loopback port with a sites file, for Node tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Spawns kring-server with `args` and resolves with { child, port } once it listens. `stderr` is
// 'inherit', 'ignore' or 'pipe' (then the tail of its log is in the error if it exits first).
export async function spawnKringServer(binary, args, stderr = 'pipe') {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', stderr] });
  let log = '';
  child.stderr?.on('data', (chunk) => { log = (log + chunk).slice(-4000); });
  const port = await new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`kring-server exited with ${code}\n${log}`)));
  });
  return { child, port };
}

// Resolves with { port, directory, stop() } once the server listens.
export async function startServer(binary, sites, extraArgs = []) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-server-test-'));
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites }));
  const { child, port } = await spawnKringServer(binary, ['--port', '0', '--db', `sqlite:${join(directory, 'kring.db')}`,
    '--sites', join(directory, 'sites.json'), ...extraArgs], 'ignore');
  return {
    port,
    directory,
    stop() {
      child.kill('SIGTERM');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
