// Mails and webhooks the outbox gave up on (docs/notifications.md, "Dead letters"): the site's admins
// see each one and why, and try it once more when its cause is mended (a receiver back up). Below
// them, the webhook delivery log: each delivery's state, and a replay for one a receiver lost. Above
// them all, the site's webhook endpoints (webhooks.ts).
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { DeadLetters } from './api';
import { attempt, dateTime, type ConsoleContext, type Panel } from './context';
import { WebhooksSection } from './webhooks';

export class DeliveriesPanel implements Panel {
  private letters: DeadLetters = { mails: [], webhooks: [], webhookLog: [] };
  private error = '';
  private loaded = false;
  private readonly endpoints: WebhooksSection;

  constructor(private readonly context: ConsoleContext) {
    this.endpoints = new WebhooksSection(context);
  }

  async load(): Promise<void> {
    await Promise.all([this.endpoints.load(), this.loadLetters()]);
  }

  private async loadLetters(): Promise<void> {
    this.error = await attempt(async () => {
      this.letters = await this.context.api.get<DeadLetters>('dead-letters');
    });
    this.loaded = true;
    this.context.update();
  }

  private async retry(kind: 'mail' | 'webhook', id: number): Promise<void> {
    const error = await attempt(async () => {
      await this.context.api.post('dead-letters', { kind, id });
    });
    if (!error) this.context.notify(this.context.t('deliveryRetrying'));
    await this.loadLetters();
    if (error) {
      this.error = error;
      this.context.update();
    }
  }

  view(): TemplateResult {
    if (!this.loaded) return html`<p>${this.context.t('loading')}</p>`;
    return html`${this.endpoints.view()}${this.lettersView()}`;
  }

  private lettersView(): TemplateResult {
    const { t, language } = this.context;
    const { mails, webhooks } = this.letters;
    const retry = (kind: 'mail' | 'webhook', id: number) =>
      html`<button type="button" data-retry=${`${kind}-${id}`} @click=${() => this.retry(kind, id)}>
        ${t('deliveryRetry')}
      </button>`;
    return html` <section id="deliveries">
      <h2>${t('deliveriesTitle')}</h2>
      <p class="help">${t('deliveriesHelp')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${mails.length + webhooks.length === 0 ? html`<p class="empty">${t('empty')}</p>` : nothing}
      <ol class="dead-letters">
        ${webhooks.map(
          (row) =>
            html`<li data-dead=${`webhook-${row.id}`}>
              <strong>${row.type}</strong> → <code>${row.url}</code>
              <span class="outcome">${row.outcome}</span>
              <span>${t('deliveryAttempts', { count: String(row.attempts) })}</span>
              <time>${dateTime(row.deadAt, language)}</time>
              ${retry('webhook', row.id)}
            </li>`,
        )}
        ${mails.map(
          (row) =>
            html`<li data-dead=${`mail-${row.id}`}>
              <strong>${row.kind}</strong> → ${row.recipientId}
              <span class="outcome">${row.outcome}</span>
              <span>${t('deliveryAttempts', { count: String(row.attempts) })}</span>
              <time>${dateTime(row.deadAt, language)}</time>
              ${retry('mail', row.id)}
            </li>`,
        )}
      </ol>
      <h3>${t('webhookLogTitle')}</h3>
      <p class="help">${t('webhookLogHelp')}</p>
      ${this.letters.webhookLog.length === 0 ? html`<p class="empty">${t('empty')}</p>` : nothing}
      <ol class="webhook-log">
        ${this.letters.webhookLog.map(
          (row) =>
            html`<li data-log=${`webhook-${row.id}`} data-state=${row.state}>
              <strong>${row.type}</strong> → <code>${row.url}</code>
              <span class="state">${row.state}</span>
              <span class="outcome">${row.outcome}</span>
              <span>${t('deliveryAttempts', { count: String(row.attempts) })}</span>
              <time>${dateTime(row.doneAt || row.createdAt, language)}</time>
              ${
                row.state === 'pending'
                  ? nothing
                  : html`<button
                      type="button"
                      data-replay=${`webhook-${row.id}`}
                      @click=${() => this.retry('webhook', row.id)}
                    >
                      ${t('webhookSendAgain')}
                    </button>`
              }
            </li>`,
        )}
      </ol>
    </section>`;
  }
}
