// Questions and opening posts nobody has answered yet, oldest first, with how long each has waited.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { Starter } from './api';
import {
  attempt,
  dateTime,
  duration,
  setThreadPattern,
  threadPattern,
  type ConsoleContext,
  type Panel,
} from './context';

export class UnansweredPanel implements Panel {
  private starters: Starter[] = [];
  private error = '';
  private loaded = false;

  constructor(private readonly context: ConsoleContext) {}

  get count(): number {
    return this.starters.length;
  }

  async load(): Promise<void> {
    this.error = await attempt(async () => {
      this.starters = (await this.context.api.get<{ starters: Starter[] }>('unanswered')).starters;
    });
    this.loaded = true;
    this.context.update();
  }

  view(): TemplateResult {
    const { t, language } = this.context;
    if (!this.loaded) return html`<p>${t('loading')}</p>`;
    return html` <section id="unanswered">
      <h2>${t('unansweredTitle')} <span class="count" data-count>${this.starters.length}</span></h2>
      <label class="pattern"
        >${t('threadLinkPattern')}
        <input
          name="thread-pattern"
          placeholder=${t('threadLinkHelp')}
          .value=${threadPattern(this.context.api.site)}
          @change=${(e: Event) => {
            setThreadPattern(this.context.api.site, (e.target as HTMLInputElement).value.trim());
            this.context.update();
          }}
        />
      </label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.starters.length === 0 ? html`<p class="empty">${t('empty')}</p>` : nothing}
      <ol class="starters">
        ${this.starters.map((starter) => {
          const link = this.context.threadLink(starter.threadKey);
          return html`<li data-post-id=${starter.postId}>
            <strong>${starter.threadTitle || starter.threadKey}</strong>
            <span class="waiting">${t('waiting', { time: duration(starter.waitingMs) })}</span>
            <time>${dateTime(starter.createdAt, language)}</time>
            <button type="button" class="link" @click=${() => this.context.showMember(starter.authorId)}>
              ${starter.authorId}
            </button>
            ${link ? html`<a href=${link} target="_blank" rel="noopener">${t('openThread')}</a>` : nothing}
          </li>`;
        })}
      </ol>
    </section>`;
  }
}
