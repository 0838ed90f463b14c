// Starts the real kring-server on a free loopback port with a sites file, for Node tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Resolves with { port, directory, stop() } once the server listens.
export async function startServer(binary, sites, extraArgs = []) {
  const directory = mkdtempSync(join(tmpdir(), 'kring-server-test-'));
  writeFileSync(join(directory, 'sites.json'), JSON.stringify({ sites }));
  const child = spawn(binary, ['--port', '0', '--db', `sqlite:${join(directory, 'kring.db')}`,
    '--sites', join(directory, 'sites.json'), ...extraArgs], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`kring-server exited with ${code}`)));
  });
  return {
    port,
    directory,
    stop() {
      child.kill('SIGTERM');
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
