// The test run's PostgreSQL server (scripts/test-postgres.sh, a CTest fixture that writes its URL to
// KRING_TEST_POSTGRES_URL_FILE), and databases of a test's own on it, read and written with psql.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const psql = (url, sql) => {
  const done = spawnSync('psql', [url, '-Atqc', sql], { encoding: 'utf8' });
  assert.equal(done.status, 0, done.stderr);
  return done.stdout.trim();
};

// A new, empty database named `name` (dropped first if a run before left it).
export function freshPostgres(name) {
  const urlFile = process.env.KRING_TEST_POSTGRES_URL_FILE;
  assert.ok(urlFile, 'KRING_TEST_POSTGRES_URL_FILE names the test run\'s PostgreSQL (ctest sets it)');
  const server = readFileSync(urlFile, 'utf8').trim();
  psql(server, `DROP DATABASE IF EXISTS ${name}`);
  psql(server, `CREATE DATABASE ${name}`);
  const url = server.slice(0, server.lastIndexOf('/') + 1) + name;
  const query = (sql) => psql(url, sql);
  return { url, query, lines: (sql) => query(sql).split('\n').filter(Boolean), count: (sql) => Number(query(sql)) };
}
