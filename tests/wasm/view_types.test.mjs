// The widget's view-model types (host-adapters/web/src/thread-types.ts) against what the wasm core
// really returns: threads holding every kind of post, seen by every kind of viewer in every order,
// and outcomes of every status. A key the core adds, drops or retypes fails here until the
// TypeScript type says the same.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { KringCore } from '../../wasm/kring-core-api.mjs';
import { shapesOf } from '../support/ts_shapes.mjs';

const wasmPath = process.env.KRING_WASM;
const T0 = 1_700_000_000_000;
let core;
let shapes;

before(async () => {
  const createModule = (await import(pathToFileURL(wasmPath).href)).default;
  core = await KringCore.load(createModule, { wasmBinary: readFileSync(wasmPath.replace(/\.js$/, '.wasm')) });
  shapes = shapesOf('host-adapters/web/src/thread-types.ts');
});

// A site with a question thread and a discussion: asked, answered, accepted, commented, voted,
// edited, deleted, held, hidden, featured, erased; every outcome kept.
function community() {
  const engine = core.createEngine('acme');
  const outcomes = [];
  let clock = T0;
  const as = (id, name, role = 'member') => engine.setActor(id, name, role);
  const op = (fields) => {
    const outcome = engine.describeOutcome(engine.apply(engine.makeOp({ time: (clock += 60_000), ...fields })));
    outcomes.push(outcome);
    return outcome;
  };
  as('sam', 'Sam', 'staff');
  op({ kind: 'create_thread', id: 't-q', key: '/q', title: 'Sizes?', threadKind: 'question' });
  op({ kind: 'create_thread', id: 't-d', key: '/d', title: 'Hello', threadKind: 'discussion' });
  as('alice', 'Alice');
  op({ kind: 'post', id: 'q1', threadKey: '/q', body: 'Does it run small?' });
  op({ kind: 'edit', id: 'e1', postId: 'q1', body: 'Does it run small? I am between sizes.' });
  op({ kind: 'post', id: 'd1', threadKey: '/d', body: 'First!' });
  as('bob', 'Bob');
  op({ kind: 'post', id: 'a1', threadKey: '/q', parentId: 'q1', body: 'True to size.' });
  op({ kind: 'post', id: 'd2', threadKey: '/d', parentId: 'd1', body: 'Welcome.' });
  op({ kind: 'post', id: 'd3', threadKey: '/d', parentId: 'd2', body: 'Thanks, nested.' });
  op({ kind: 'vote', id: 'v0', postId: 'a1', direction: 'up' });  // own post: rejected
  as('carol', 'Carol');
  op({ kind: 'post', id: 'a2', threadKey: '/q', parentId: 'q1', body: 'Order one up.' });
  op({ kind: 'delete', id: 'x1', postId: 'a2' });
  op({ kind: 'post', id: 'a3', threadKey: '/q', parentId: 'q1',
    body: 'See https://a.example/1 https://b.example/2 https://c.example/3' });  // TL0 link limit: held
  as('alice', 'Alice');
  op({ kind: 'post', id: 'c1', threadKey: '/q', parentId: 'a1', body: 'Thanks!' });
  op({ kind: 'accept', id: 'k1', answerId: 'a1' });
  as('sam', 'Sam', 'staff');
  op({ kind: 'vote', id: 'v1', postId: 'a1', direction: 'up' });
  op({ kind: 'vote', id: 'v2', postId: 'd1', direction: 'down' });
  as('mo', 'Mo', 'admin');
  op({ kind: 'moderate', id: 'm1', action: 'feature', target: 'a1', reason: 'Spot on' });
  op({ kind: 'moderate', id: 'm2', action: 'hide', target: 'd3', reason: 'Off topic' });
  op({ kind: 'moderate', id: 'm3', action: 'lock', target: '/d', reason: 'Done' });
  op({ kind: 'moderate', id: 'm4', action: 'erase', target: 'bob', reason: 'Asked to be forgotten' });
  return { engine, outcomes };
}

test('every thread view the core gives, for every viewer and order, is a ThreadView exactly', () => {
  const { engine } = community();
  const seen = { states: new Set(), threadStates: new Set(), votes: new Set(), held: new Set(), flags: new Set(), depths: new Set() };
  let views = 0;
  for (const key of ['/q', '/d']) {
    for (const order of ['top', 'newest', 'oldest']) {
      for (const viewer of ['', 'alice', 'carol', 'sam', 'mo']) {
        const view = engine.threadView(key, order, viewer);
        assert.deepEqual(shapes.problems(view, 'ThreadView'), [], `${key} ${order} as '${viewer}'`);
        views += 1;
        seen.threadStates.add(view.state);
        for (const post of view.posts) {
          seen.states.add(post.state);
          seen.votes.add(post.myVote);
          seen.held.add(post.heldReason);
          seen.depths.add(post.depth);
          for (const flag of ['accepted', 'featured', 'erased']) if (post[flag]) seen.flags.add(flag);
          if (post.editedAt > 0) seen.flags.add('edited');
        }
      }
    }
  }
  // The setup made what it meant to: else the check above proved less than it says.
  assert.equal(views, 30);
  assert.deepEqual([...seen.threadStates].sort(), ['locked', 'open']);
  for (const state of ['visible', 'pending_review', 'removed', 'hidden_by_moderator']) assert.ok(seen.states.has(state), state);
  assert.deepEqual([...seen.votes].sort(), ['down', 'none', 'up']);
  assert.ok(seen.held.has('too_many_links'), [...seen.held].join());
  assert.deepEqual([...seen.flags].sort(), ['accepted', 'edited', 'erased', 'featured']);
  assert.ok(seen.depths.has(2));
});

test('every outcome describeOutcome gives is an Outcome exactly', () => {
  const { outcomes } = community();
  for (const outcome of outcomes) assert.deepEqual(shapes.problems(outcome, 'Outcome'), [], JSON.stringify(outcome));
  assert.deepEqual([...new Set(outcomes.map((outcome) => outcome.status))].sort(), ['accepted', 'held', 'rejected']);
});

test('the checker itself: a missing, an extra and a mistyped key are each an error', () => {
  const view = community().engine.threadView('/q', 'top', 'alice');
  const { body, ...withoutBody } = view.posts[0];
  assert.equal(typeof body, 'string');
  assert.deepEqual(shapes.problems({ ...view, posts: [withoutBody] }, 'ThreadView'), ['posts[0].body: in Post but not in the value']);
  assert.deepEqual(shapes.problems({ ...view, extra: 1 }, 'ThreadView'), ['extra: in the value but not in ThreadView']);
  assert.deepEqual(shapes.problems({ ...view, lastSequence: '7' }, 'ThreadView'), ['lastSequence: "7" is not number']);
});
