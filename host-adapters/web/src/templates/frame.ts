// The frame: title, count, sort, status, the live region, the notice, the thread's composer and
// its posts, "load more".
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { StringKey } from '../strings';
import type { ThreadView, TreeNode } from '../thread-types';
import { composer } from './composer';
import { postTemplate } from './post';
import type { Screen } from './screen';

// What the frame shows besides the posts, and what its controls call.
export interface Frame {
  view?: ThreadView;
  roots: TreeNode[];
  lang: string;
  status: { key: StringKey; values?: Record<string, string>; error?: boolean; text?: string };
  connection: { welcomed: boolean; synced: boolean; attempts: number }; // connection.ts's state
  announcement: string;
  notice?: { text: string; held?: boolean };
  order: string;
  shown: number;
  // The server's rendering in the host element (the loader's, or the host's page's): shown through a
  // slot until the widget can show every post as the server rendered it, so the posts neither blink
  // out while the core loads nor show as raw Markdown for a frame.
  showServerRendering: boolean;
  notStarted: boolean; // the thread does not exist, and this visitor may not start it
  following?: boolean; // whether new posts here are mailed to the member; unset: no choice to offer
  mailSettings: string; // the member's mail preferences page (signed for them); empty: none
  sort(order: string): void;
  dismissNotice(): void;
  more(): void;
}

export function frameTemplate(screen: Screen, frame: Frame): TemplateResult {
  const { t, question } = screen;
  const { view, roots, status } = frame;
  const { welcomed, synced, attempts } = frame.connection;
  const connection = status.error
    ? 'error'
    : synced
      ? 'synced'
      : welcomed
        ? 'connected'
        : attempts
          ? 'reconnecting'
          : 'connecting';
  const locked = view?.state === 'locked';
  // A paged thread counts what it has not loaded too.
  const visibleCount =
    screen.posts.filter((p) => p.body && p.state === 'visible').length + (view?.unloadedVisible ?? 0);
  const unloadedRoots = view?.unloadedTopLevel ?? 0;
  const count = question ? t('questions', { n: roots.length + unloadedRoots }) : t('comments', { n: visibleCount });
  const title = question ? t('questionTitle') : t('discussionTitle');
  const statusText = status.text ?? t(status.key, status.values);
  return html` <section class="root" part="root" aria-label=${title} lang=${frame.lang} data-connection=${connection}>
    <div class="header" part="header">
      <h2 part="title">${title}</h2>
      ${
        // Left out where the page's own title already says it (the default is that title).
        view?.title && !document.title.includes(view.title)
          ? html`<p class="thread-title" part="thread-title">${view.title}</p>`
          : nothing
      }
      <span class="count" part="count">${count}</span>
      <label part="sort-label"
        >${t('sortLabel')}
        <select part="sort" @change=${(e: Event) => frame.sort((e.target as HTMLSelectElement).value)}>
          ${(['top', 'newest', 'oldest'] as const).map(
            (name) =>
              html`<option value=${name} ?selected=${frame.order === name}>
                ${t(name === 'top' ? 'sortTop' : name === 'newest' ? 'sortNewest' : 'sortOldest')}
              </option>`,
          )}
        </select>
      </label>
      ${
        frame.following === undefined
          ? nothing
          : html`<button
              type="button"
              part="follow"
              aria-pressed=${frame.following}
              @click=${() => screen.perform({ kind: 'follow', threadKey: screen.thread, following: !frame.following })}
            >
              ${t(frame.following ? 'following' : 'follow')}
            </button>`
      }
      ${
        frame.mailSettings
          ? html`<a part="mail-settings" href=${frame.mailSettings} target="_blank" rel="noopener"
              >${t('mailSettings')}</a
            >`
          : nothing
      }
      ${
        screen.moderator && view
          ? html`<button
              type="button"
              part="moderate-lock"
              @click=${() => screen.perform({ kind: 'moderate', action: locked ? 'unlock' : 'lock', target: screen.thread, reason: 'from the thread widget' })}
            >
              ${locked ? t('unlock') : t('lock')}
            </button>`
          : nothing
      }
    </div>
    <p class="status ${status.error ? 'error' : ''}" part="status" role=${status.error ? 'alert' : 'status'}>
      ${statusText}
    </p>
    <div class="visually-hidden" aria-live="polite" part="live">${frame.announcement}</div>
    ${
      frame.notice
        ? html`<div class="notice ${frame.notice.held ? 'held' : ''}" part="notice" role="alert">
            <span>${frame.notice.text}</span>
            <button type="button" aria-label=${t('dismiss')} @click=${frame.dismissNotice}>×</button>
          </div>`
        : nothing
    }
    ${
      locked || frame.notStarted
        ? html`<p class="tombstone" part=${locked ? 'locked' : 'not-started'}>
            ${t(locked ? 'locked' : 'notStarted')}
          </p>`
        : composer(
            screen,
            'root',
            question ? 'composeQuestion' : 'composeDiscussion',
            question ? 'ask' : 'post',
            (body) => screen.perform({ kind: 'post', threadKey: screen.thread, parentId: '', body }),
          )
    }
    <div class="posts" part="posts">
      ${
        frame.showServerRendering
          ? html`<slot></slot>`
          : [
              (roots.length === 0 && view !== undefined) || (roots.length === 0 && welcomed)
                ? html`<p class="tombstone" part="empty">${question ? t('emptyQuestions') : t('empty')}</p>`
                : nothing,
              roots.slice(0, frame.shown).map((node) => postTemplate(screen, node, locked)),
            ]
      }
    </div>
    ${
      roots.length > frame.shown || unloadedRoots
        ? html`<button type="button" class="more" part="load-more" @click=${frame.more}>
            ${t('loadMore', { n: Math.max(0, roots.length - frame.shown) + unloadedRoots })}
          </button>`
        : nothing
    }
  </section>`;
}
