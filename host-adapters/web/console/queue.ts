// The moderation queue: held posts, flagged posts and new members' first posts, with their context,
// decided one at a time or in bulk, from the keyboard, and undone from the notice that follows.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { live } from 'lit/directives/live.js';
import { ApiError, type QueueItem } from './api';
import { attempt, dateTime, type ConsoleContext, type Panel } from './context';
import { heldReasonText, type StringKey } from './strings';

type Decision = 'approve' | 'reject' | 'spam' | 'hide' | 'feature' | 'restore';
type Sanction = 'silence' | 'suspend' | 'ban';

const SUSPENSION_MS = 7 * 86_400_000;
const DECISION_LABELS: Record<Decision | Sanction, StringKey> = {
  approve: 'approve',
  reject: 'reject',
  spam: 'rejectSpam',
  hide: 'hide',
  feature: 'feature',
  restore: 'restore',
  silence: 'silence',
  suspend: 'suspend',
  ban: 'ban',
};
const DEFAULT_REASONS: Record<Decision, string> = {
  approve: 'Approved from the queue',
  reject: 'Rejected from the queue',
  spam: 'Spam',
  hide: 'Hidden from the queue',
  feature: 'Featured from the queue',
  restore: 'Restored from the queue',
};
const STAGE_OF_CATEGORY: Record<QueueItem['category'], StringKey> = {
  held: 'categoryHeld',
  flagged: 'categoryFlagged',
  firstPost: 'categoryFirstPost',
};

// The core op a decision is for this post: with open flags on a post in view (or hidden by them),
// approving dismisses the flags and rejecting upholds them, so flag accuracy learns from it.
function moderation(item: QueueItem, decision: Decision, reason: string): Record<string, unknown> | null {
  const flagged = item.openFlags.length > 0 && item.state !== 'pending_review';
  switch (decision) {
    case 'approve':
      if (item.category === 'firstPost') return null;
      return { action: flagged ? 'dismiss_flags' : 'approve', postId: item.postId, reason };
    case 'reject':
      return { action: flagged ? 'uphold_flags' : 'reject', postId: item.postId, reason };
    case 'spam':
      return { action: 'reject', postId: item.postId, reason, asSpam: true };
    default:
      return { action: decision, postId: item.postId, reason };
  }
}

export class QueuePanel implements Panel {
  private items: QueueItem[] = [];
  private cursor = 0;
  private selected = new Set<string>();
  private reviewed = new Set<string>(); // first posts looked at and left alone, this session
  private reason = '';
  private error = '';
  private loaded = false;

  constructor(private readonly context: ConsoleContext) {}

  get count(): number {
    return this.items.length;
  }

  async load(): Promise<void> {
    this.error = await attempt(async () => {
      const { queue } = await this.context.api.get<{ queue: QueueItem[] }>('moderation');
      this.items = queue.filter((item) => !this.reviewed.has(item.postId));
    });
    this.loaded = true;
    this.cursor = Math.min(this.cursor, Math.max(0, this.items.length - 1));
    for (const id of [...this.selected]) if (!this.items.some((item) => item.postId === id)) this.selected.delete(id);
    this.context.update();
  }

  // The items a key or bulk button acts on: the selection, or else the one under the cursor.
  private targets(): QueueItem[] {
    if (this.selected.size) return this.items.filter((item) => this.selected.has(item.postId));
    return this.items[this.cursor] ? [this.items[this.cursor]] : [];
  }

  async decide(decision: Decision, items = this.targets()): Promise<void> {
    const { api } = this.context;
    const reason = this.reason.trim() || DEFAULT_REASONS[decision];
    const done: string[] = [];
    let failure = '';
    for (const item of items) {
      const moderate = moderation(item, decision, reason);
      if (!moderate) {
        this.reviewed.add(item.postId);
        continue;
      }
      try {
        done.push((await api.act({ moderate })).opId);
      } catch (error) {
        failure = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
      }
    }
    this.afterActions(DECISION_LABELS[decision], items.length, done, failure);
  }

  async sanction(sanction: Sanction, item: QueueItem): Promise<void> {
    const { t, api } = this.context;
    const reason = this.reason.trim();
    if (!reason) {
      this.error = t('reasonNeeded');
      this.context.update();
      (document.querySelector('#queue-reason') as HTMLInputElement | null)?.focus();
      return;
    }
    const moderate: Record<string, unknown> = { action: sanction, memberId: item.author.id, reason };
    if (sanction === 'suspend') moderate.until = Date.now() + SUSPENSION_MS;
    try {
      const { opId } = await api.act({ moderate });
      this.afterActions(DECISION_LABELS[sanction], 1, [opId], '');
    } catch (error) {
      this.afterActions(DECISION_LABELS[sanction], 1, [], (error as Error).message);
    }
  }

  private afterActions(label: StringKey, asked: number, opIds: string[], failure: string): void {
    const { t, api } = this.context;
    this.selected.clear();
    this.reason = '';
    this.error = failure ? t('failed', { action: t(label), message: failure }) : '';
    const undo = opIds.length
      ? async () => {
          for (const moderationId of opIds) await api.act({ undo: { moderationId, reason: 'Undone from the queue' } });
          await this.load();
        }
      : undefined;
    if (opIds.length || !failure) this.context.notify(t('done', { action: t(label), n: opIds.length || asked }), undo);
    void this.load();
  }

  keydown(event: KeyboardEvent): boolean {
    const current = this.items[this.cursor];
    switch (event.key) {
      case 'j':
        this.cursor = Math.min(this.cursor + 1, this.items.length - 1);
        break;
      case 'k':
        this.cursor = Math.max(this.cursor - 1, 0);
        break;
      case 'x':
        if (!current) return false;
        if (!this.selected.delete(current.postId)) this.selected.add(current.postId);
        break;
      case 'a':
        void this.decide('approve');
        return true;
      case 'r':
        void this.decide('reject');
        return true;
      case 's':
        void this.decide('spam');
        return true;
      case 'h':
        void this.decide('hide');
        return true;
      case 'f':
        void this.decide('feature');
        return true;
      default:
        return false;
    }
    this.context.update();
    document.querySelector(`#queue article[data-index="${this.cursor}"]`)?.scrollIntoView({ block: 'nearest' });
    return true;
  }

  view(): TemplateResult {
    const { t } = this.context;
    if (!this.loaded) return html`<p>${t('loading')}</p>`;
    return html` <section id="queue" aria-labelledby="queue-title">
      <h2 id="queue-title">${t('navQueue')} <span class="count" data-count>${this.items.length}</span></h2>
      <p class="help">${t('queueHelp')}</p>
      <div class="toolbar">
        <label
          >${t('reason')}
          <input
            id="queue-reason"
            type="text"
            maxlength="500"
            placeholder=${t('reasonPlaceholder')}
            .value=${live(this.reason)}
            @input=${(e: Event) => {
              this.reason = (e.target as HTMLInputElement).value;
            }}
          />
        </label>
        <button
          type="button"
          data-bulk="select-all"
          @click=${() => {
            this.items.forEach((item) => this.selected.add(item.postId));
            this.context.update();
          }}
        >
          ${t('selectAll')}
        </button>
        <span data-selected>${t('selected', { n: this.selected.size })}</span>
        <button
          type="button"
          data-bulk="approve"
          ?disabled=${!this.selected.size}
          @click=${() => this.decide('approve')}
        >
          ${t('approveSelected')}
        </button>
        <button type="button" data-bulk="reject" ?disabled=${!this.selected.size} @click=${() => this.decide('reject')}>
          ${t('rejectSelected')}
        </button>
        <button type="button" data-bulk="spam" ?disabled=${!this.selected.size} @click=${() => this.decide('spam')}>
          ${t('spamSelected')}
        </button>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.items.length === 0 ? html`<p class="empty">${t('queueEmpty')}</p>` : nothing}
      ${this.items.map((item, index) => this.itemView(item, index))}
    </section>`;
  }

  // A click on the item moves the cursor there; its own controls act for themselves (re-rendering
  // under a checkbox mid-click would undo the click).
  private pick(event: Event, index: number): void {
    if ((event.target as HTMLElement).closest('input, button, a, select') || this.cursor === index) return;
    this.cursor = index;
    this.context.update();
  }

  private itemView(item: QueueItem, index: number): TemplateResult {
    const { t, language } = this.context;
    const link = this.context.threadLink(item.threadKey);
    const author = item.author;
    const choose = (decision: Decision) => () => {
      this.cursor = index;
      void this.decide(decision, [item]);
    };
    return html` <article
      class="item ${index === this.cursor ? 'current' : ''}"
      data-index=${index}
      data-post-id=${item.postId}
      data-category=${item.category}
      @click=${(e: Event) => this.pick(e, index)}
    >
      <header>
        <input
          type="checkbox"
          aria-label=${t('select')}
          .checked=${live(this.selected.has(item.postId))}
          @change=${(e: Event) => {
            (e.target as HTMLInputElement).checked ? this.selected.add(item.postId) : this.selected.delete(item.postId);
            this.context.update();
          }}
        />
        <span class="badge ${item.category}">${t(STAGE_OF_CATEGORY[item.category])}</span>
        <span>${t('inThread', { title: item.threadTitle || item.threadKey })}</span>
        ${link ? html`<a href=${link} target="_blank" rel="noopener">${t('openThread')}</a>` : nothing}
        <time>${dateTime(item.createdAt, language)}</time>
      </header>
      <div class="body">${item.body}</div>
      <p class="why">
        ${item.heldReason && item.heldReason !== 'none' ? html`<span data-held>${t('heldBecause', { reason: heldReasonText(language, item.heldReason), stage: item.stage ?? '—' })}</span> · ` : nothing}
        <span>${t('spamScore', { n: item.spamScore })}</span>
        ${item.flagScore ? html` · <span>${t('flagScore', { n: item.flagScore })}</span>` : nothing}
      </p>
      ${
        item.openFlags.length
          ? html`<ul class="flags">
              ${item.openFlags.map(
                (flag) =>
                  html` <li>
                    ${t('flaggedBy', { name: flag.memberId, level: flag.trustLevel ?? '—', reason: flag.reason })}
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      <p class="author">
        <button type="button" class="link" @click=${() => this.context.showMember(author.id)}>
          ${t('authorLine', {
            name: author.displayName || author.id,
            reputation: author.reputation,
            level: author.trustLevel,
            posts: author.postCount,
            state: author.state,
          })}
        </button>
      </p>
      <div class="actions">
        <button type="button" data-action="approve" @click=${choose('approve')}>${t('approve')}</button>
        <button type="button" data-action="reject" @click=${choose('reject')}>${t('reject')}</button>
        <button type="button" data-action="spam" @click=${choose('spam')}>${t('rejectSpam')}</button>
        ${item.state === 'visible' ? html`<button type="button" data-action="hide" @click=${choose('hide')}>${t('hide')}</button>` : nothing}
        ${item.state === 'hidden_by_flags' ? html`<button type="button" data-action="restore" @click=${choose('restore')}>${t('restore')}</button>` : nothing}
        <button type="button" data-action="feature" @click=${choose('feature')}>${t('feature')}</button>
        <span class="sanctions">
          <button type="button" data-action="silence" @click=${() => this.sanction('silence', item)}>
            ${t('silence')}
          </button>
          <button type="button" data-action="suspend" @click=${() => this.sanction('suspend', item)}>
            ${t('suspend')}
          </button>
          <button type="button" data-action="ban" @click=${() => this.sanction('ban', item)}>${t('ban')}</button>
        </span>
      </div>
    </article>`;
  }
}
