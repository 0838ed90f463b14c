// A post and its replies: author and badges, the body or a tombstone, actions, the flag form,
// moderator tools, and the reply or edit box when open.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { bodyOf } from './body';
import type { StringKey, Translate } from '../strings';
import type { Post, TreeNode } from '../thread-types';
import { composer } from './composer';
import type { Screen } from './screen';

const COLLAPSE_DEPTH = 2; // replies below this depth wait behind "show replies"
export const MODERATOR_ROLES = new Set(['moderator', 'admin']);
const ACCEPTING_ROLES = new Set(['staff', 'moderator', 'admin']);

// Dates by hand: the first Intl.DateTimeFormat costs ~100 ms of ICU set-up, a third of the budget
// for showing a thread.
function formatDate(t: Translate, time: Date) {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getDate()} ${t('months').split(' ')[time.getMonth()]} ${time.getFullYear()}, ${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

// A closed reply or edit box hands keyboard focus back to the button that opened it.
function closeComposer(screen: Screen, postId: string, part: 'reply' | 'edit') {
  if (part === 'reply') screen.ui.replyingTo = undefined;
  else screen.ui.editing = undefined;
  screen.rerender();
  screen.focus(`article[data-post-id="${CSS.escape(postId)}"] > .actions > [part~="${part}"]`);
}

function focusComposer(screen: Screen, key: string) {
  screen.focus(`form[data-composer="${CSS.escape(key)}"] textarea`);
}

export function postTemplate(screen: Screen, node: TreeNode, locked: boolean): TemplateResult {
  const t = screen.t;
  const post = node.post;
  const me = screen.me;
  const mine = post.authorId === me?.id;
  const pending = screen.pending(post.id);
  const held = post.state === 'pending_review';
  const gone = post.state === 'removed' || post.state === 'spam';
  const readable = Boolean(post.body) && !gone;
  const question = screen.question;
  const role = question ? (['question', 'answer', 'comment'][post.depth] ?? 'comment') : 'comment';
  const classes = [
    'post',
    role,
    post.accepted ? 'accepted' : '',
    pending ? 'pending' : '',
    held ? 'held' : '',
    post.featured ? 'featured' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const answers = question && post.depth === 0 ? node.children.length : 0;
  const askedBy = question && post.depth === 1 ? screen.posts.find((p) => p.id === post.parentId)?.authorId : undefined;
  const mayAccept =
    post.depth === 1 && question && readable && (askedBy === me?.id || ACCEPTING_ROLES.has(me?.role ?? ''));
  const replyKey: StringKey = question ? (post.depth === 0 ? 'answer' : 'comment') : 'reply';
  const mayReply = readable && !locked && !(question && post.depth >= 2);
  // Replies a paged replica has not loaded come on demand (docs/protocol.md, "Paged threads").
  const unloaded = post.unloadedReplies;
  const collapsed =
    post.depth >= COLLAPSE_DEPTH && node.children.length + unloaded > 0 && !screen.ui.expanded.has(post.id);
  const time = new Date(post.createdAt);
  const nameId = `author-${post.id}`;
  const reputation = t('reputation', { n: post.authorReputation });
  const trust = t('trustLevel', { n: post.authorTrustLevel });
  // Why it waits: the author's prediction in their words, else the reason code the view gives
  // its author and moderators.
  const heldText =
    gone || post.state === 'visible'
      ? ''
      : screen.heldReasons.get(post.id) ||
        (post.heldReason && post.heldReason !== 'none'
          ? t('heldFor', { reason: post.heldReason.replace(/_/g, ' ') })
          : '');
  return html` <article
    class=${classes}
    part="post ${role}${post.accepted ? ' accepted' : ''}${held ? ' held' : ''}"
    data-post-id=${post.id}
    data-state=${post.state}
    aria-labelledby=${nameId}
  >
    <header class="meta" part="post-meta">
      <span class="author" part="author" id=${nameId} title=${post.authorName || post.authorId}
        >${post.authorName || post.authorId}</span
      >
      ${post.authorRole === 'staff' ? html`<span class="badge staff" part="badge badge-staff">${t('staff')}</span>` : nothing}
      ${MODERATOR_ROLES.has(post.authorRole) ? html`<span class="badge" part="badge badge-moderator">${t('moderator')}</span>` : nothing}
      <span class="badge" part="badge badge-reputation" title=${reputation} aria-label=${reputation}
        >${post.authorReputation}</span
      >
      <span class="badge" part="badge badge-trust" title=${trust} aria-label=${trust}>TL${post.authorTrustLevel}</span>
      <time datetime=${time.toISOString()}>${formatDate(t, time)}</time>
      ${post.editedAt ? html`<span>(${t('edited')})</span>` : nothing}
      ${post.featured ? html`<span class="badge featured" part="badge badge-featured">★ ${t('featured')}</span>` : nothing}
      ${post.accepted ? html`<span class="badge accepted" part="badge badge-accepted">✓ ${t('accepted')}</span>` : nothing}
      ${
        question && post.depth === 0
          ? html` <span class="badge" part="badge badge-answers"
                >${answers === 1 ? t('oneAnswer') : t('answers', { n: answers })}</span
              >
              <span
                class="badge ${answers ? 'answered' : 'unanswered'}"
                part="badge badge-${answers ? 'answered' : 'unanswered'}"
              >
                ${answers ? t('answered') : t('unanswered')}</span
              >`
          : nothing
      }
      ${held ? html`<span class="badge held" part="badge badge-held">${t('held')}</span>` : nothing}
      ${pending ? html`<span class="badge" part="badge badge-pending">${t('sending')}</span>` : nothing}
    </header>
    ${
      readable
        ? html`<div class="body" part="body">${bodyOf(screen.bodyHtml(post), post.body)}</div>`
        : html`<p class="tombstone" part="tombstone">
            ${post.erased ? t('erased') : gone ? t('removed') : held ? t('held') : t('hidden')}
          </p>`
    }
    ${heldText ? html`<p class="reason" part="held-reason">${heldText}</p>` : nothing}
    ${readable ? actions(screen, post, { mine, mayAccept, mayReply, replyKey }) : nothing}
    ${screen.ui.flagging === post.id ? flagForm(screen, post) : nothing}
    ${
      screen.ui.editing === post.id
        ? composer(
            screen,
            `edit-${post.id}`,
            'composeEdit',
            'save',
            (body) => {
              const done = screen.perform({ kind: 'edit', postId: post.id, body });
              if (done) closeComposer(screen, post.id, 'edit');
              return done;
            },
            () => closeComposer(screen, post.id, 'edit'),
          )
        : nothing
    }
    ${
      screen.ui.replyingTo === post.id
        ? composer(
            screen,
            `reply-${post.id}`,
            question ? (post.depth === 0 ? 'composeAnswer' : 'composeComment') : 'composeReply',
            replyKey,
            (body) => {
              const done = screen.perform({ kind: 'post', threadKey: screen.thread, parentId: post.id, body });
              if (done) closeComposer(screen, post.id, 'reply');
              return done;
            },
            () => closeComposer(screen, post.id, 'reply'),
          )
        : nothing
    }
    ${screen.moderator ? moderatorTools(screen, post, gone) : nothing}
    ${
      node.children.length + unloaded
        ? collapsed
          ? html`<button
              type="button"
              part="show-replies"
              @click=${() => {
                screen.ui.expanded.add(post.id);
                if (!node.children.length) screen.loadReplies(post.id);
                screen.rerender();
              }}
            >
              ${t('showReplies', { n: node.children.length + unloaded })}
            </button>`
          : html`<div class="replies" part="replies">
              ${node.children.map((child) => postTemplate(screen, child, locked))}
              ${
                unloaded
                  ? html`<button type="button" part="more-replies" @click=${() => screen.loadReplies(post.id)}>
                      ${t('showReplies', { n: unloaded })}
                    </button>`
                  : nothing
              }
            </div>`
        : nothing
    }
  </article>`;
}

function actions(
  screen: Screen,
  post: Post,
  {
    mine,
    mayAccept,
    mayReply,
    replyKey,
  }: { mine: boolean; mayAccept: boolean; mayReply: boolean; replyKey: StringKey },
): TemplateResult {
  const t = screen.t;
  const vote = (direction: string) =>
    screen.perform({ kind: 'vote', postId: post.id, direction: post.myVote === direction ? 'none' : direction });
  // Guests read and post; votes and flags need a member (the server refuses them: sign_in_required).
  const guest = screen.me?.id.startsWith('guest:') ?? false;
  return html`<div class="actions" part="actions">
    <button
      type="button"
      part="vote-up"
      aria-pressed=${String(post.myVote === 'up')}
      ?disabled=${mine || guest}
      aria-label="${t('voteUp')}, ${t('score', { n: post.score })}"
      @click=${() => vote('up')}
    >
      ▲
    </button>
    <span part="score" aria-hidden="true">${post.score}</span>
    <button
      type="button"
      part="vote-down"
      aria-pressed=${String(post.myVote === 'down')}
      ?disabled=${mine || guest}
      aria-label=${t('voteDown')}
      @click=${() => vote('down')}
    >
      ▼
    </button>
    ${
      mayReply
        ? html`<button
            type="button"
            part="reply"
            @click=${() => {
              screen.ui.replyingTo = post.id;
              screen.rerender();
              focusComposer(screen, `reply-${post.id}`);
            }}
          >
            ${t(replyKey)}
          </button>`
        : nothing
    }
    ${
      mayAccept
        ? html`<button
            type="button"
            part="accept"
            @click=${() => screen.perform({ kind: post.accepted ? 'unaccept' : 'accept', answerId: post.id })}
          >
            ${post.accepted ? t('unaccept') : t('accept')}
          </button>`
        : nothing
    }
    <span class="spacer"></span>
    ${
      mine
        ? html` <button
              type="button"
              part="edit"
              @click=${() => {
                screen.ui.editing = post.id;
                screen.ui.drafts.set(`edit-${post.id}`, post.body);
                screen.rerender();
                focusComposer(screen, `edit-${post.id}`);
              }}
            >
              ${t('edit')}
            </button>
            <button type="button" part="delete" @click=${() => screen.perform({ kind: 'delete', postId: post.id })}>
              ${t('delete')}
            </button>`
        : guest
          ? nothing
          : html`<button
              type="button"
              part="flag"
              aria-expanded=${String(screen.ui.flagging === post.id)}
              @click=${() => {
                screen.ui.flagging = screen.ui.flagging === post.id ? undefined : post.id;
                screen.rerender();
              }}
            >
              ${t('flag')}
            </button>`
    }
  </div>`;
}

function flagForm(screen: Screen, post: Post): TemplateResult {
  const t = screen.t;
  const reasons: [string, StringKey][] = [
    ['spam', 'flagSpam'],
    ['offensive', 'flagOffensive'],
    ['off_topic', 'flagOffTopic'],
    ['other', 'flagOther'],
  ];
  return html`<form
    class="actions"
    part="flag-form"
    @submit=${(e: Event) => {
      e.preventDefault();
      if (screen.perform({ kind: 'flag', postId: post.id, reason: screen.ui.flagReason }))
        screen.ui.flagging = undefined;
      screen.rerender();
    }}
  >
    <label
      >${t('flagReason')}
      <select
        part="flag-reason"
        @change=${(e: Event) => {
          screen.ui.flagReason = (e.target as HTMLSelectElement).value;
        }}
      >
        ${reasons.map(([value, key]) => html`<option value=${value} ?selected=${screen.ui.flagReason === value}>${t(key)}</option>`)}
      </select></label
    >
    <button type="submit" part="flag-submit">${t('sendFlag')}</button>
  </form>`;
}

function moderatorTools(screen: Screen, post: Post, gone: boolean): TemplateResult {
  const t = screen.t;
  const visible = post.state === 'visible';
  // A button `moderate-<label>` that takes `action` on the post, where it applies.
  const tool = (applies: boolean, label: StringKey, action: string = label) =>
    applies
      ? html`<button
          type="button"
          part="moderate-${label}"
          @click=${() => screen.perform({ kind: 'moderate', action, target: post.id, reason: 'from the thread widget' })}
        >
          ${t(label)}
        </button>`
      : nothing;
  return html`<div class="mod" part="moderator-tools" role="group" aria-label=${t('moderatorTools')}>
    ${tool(!visible && !gone, 'approve')} ${tool(visible, 'hide')} ${tool(!gone, 'remove', 'reject')}
    ${tool(visible && !post.featured, 'feature')}
  </div>`;
}
