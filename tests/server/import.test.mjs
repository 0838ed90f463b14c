// `kring-server import --dry-run` (docs/import.md, "The dry run"): what a Disqus or WordPress export
// would bring in, read from the real binary's output: each page's thread key (a mapping file's
// exceptions first), the counts by state, the problems; hostile and broken files refused with exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/import');
const run = (...args) => spawnSync(process.env.KRING_SERVER, ['import', ...args], { encoding: 'utf8' });
// "key posts page" rows of the printed table.
const rows = (stdout) => stdout.split('\n').filter((line) => /^\S+\s+\d+\s+https?:/.test(line))
  .map((line) => line.split(/\s+/).slice(0, 3).join(' '));

test('a Disqus export: thread keys from the pages\' paths, counts by state, orphans reported, nothing written', () => {
  const done = run('--format', 'disqus', join(fixtures, 'disqus_export.xml'), '--dry-run');
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /^threads: 3 \(1 closed, 1 deleted\)$/m);
  assert.match(done.stdout, /^posts read: 10 \(visible 8, held 0, spam 1, deleted 1\); skipped 1$/m);
  assert.deepEqual(rows(done.stdout), [
    '/2012/03/hello-world 5 https://blog.example.com/2012/03/hello-world/',
    '/Case/Sensitive 2 http://blog.example.com:8080/Case/Sensitive/',
    '/about 2 https://blog.example.com/about?ref=nav#comments',
  ]);
  assert.match(done.stdout, /post 2009: its thread 9999 is not in the file: skipped/);
  assert.match(done.stdout, /post 2010: its parent 1999 is not in the file: made top level/);
  assert.match(done.stdout, /nothing was written \(--dry-run\)/);
});

test('a WordPress export with a mapping file: the exception\'s key, pending and trashed comments counted, pingbacks skipped', () => {
  const directory = mkdtempSync(join(tmpdir(), 'kring-import-test-'));
  try {
    const mapping = join(directory, 'mapping.tsv');
    writeFileSync(mapping, '# pages WordPress addresses by id\nhttps://wp.example.com/?page_id=2\tabout-us\n');
    const done = run('--format', 'wordpress', join(fixtures, 'wordpress_export.xml'), '--dry-run', '--mapping', mapping);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /^posts read: 6 \(visible 3, held 1, spam 1, deleted 1\); skipped 2$/m);
    assert.deepEqual(rows(done.stdout), ['/first-post 5 https://wp.example.com/first-post/', 'about-us 1 https://wp.example.com/?page_id=2']);
    // Without the mapping the id-addressed page would be the site's home page: the dry run shows it.
    assert.ok(rows(run('--format', 'wordpress', join(fixtures, 'wordpress_export.xml'), '--dry-run').stdout)
      .includes('/ 1 https://wp.example.com/?page_id=2'));
    writeFileSync(mapping, 'https://wp.example.com/?page_id=2 about-us\n');
    const bad = run('--format', 'wordpress', join(fixtures, 'wordpress_export.xml'), '--dry-run', '--mapping', mapping);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /bad_mapping: mapping line 1: no tab/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('hostile and broken files are refused with exit 2, and a write names its store, site and sites file', () => {
  for (const [file, reason] of [['xxe.xml', /refused: .*DOCTYPE/], ['billion_laughs.xml', /refused: .*DOCTYPE/],
    ['malformed.xml', /malformed_xml: line \d+/]]) {
    const done = run('--format', 'disqus', join(fixtures, file), '--dry-run');
    assert.equal(done.status, 2, file);
    assert.match(done.stderr, reason, file);
    assert.doesNotMatch(done.stdout, /^threads:/m, file);
  }
  const wrong = run('--format', 'disqus', join(fixtures, 'wordpress_export.xml'), '--dry-run');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /wrong_format/);
  const nowhere = run('--format', 'disqus', join(fixtures, 'disqus_export.xml'));
  assert.equal(nowhere.status, 2);
  assert.match(nowhere.stderr, /--db \(or --server\), --site and --sites/);
});
