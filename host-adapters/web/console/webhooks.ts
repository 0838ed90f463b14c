// The site's webhook endpoints (docs/webhooks.md), shown to admins above the failed deliveries: each
// one's URL, events, where it was set and its secret's hint. An admin adds one, rotates its secret or
// removes it; a new secret is shown once, right after it was made (the server never shows it again).
// Endpoints from the sites file are changed there only; a server that keeps no console endpoints
// gets the list read-only.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { ApiError, type WebhookEndpoint, type WebhookEndpoints, type WebhookSecret } from './api';
import type { ConsoleContext } from './context';

interface ShownSecret {
  url: string;
  secret: string;
  rotated: boolean;
}

type Change = { action: 'add'; url: string; events: string[] } | { action: 'rotate' | 'remove'; url: string };

export class WebhooksSection {
  private data: WebhookEndpoints | null = null;
  private error = '';
  private field = '';
  private shown: ShownSecret | null = null;
  private busy = false;

  constructor(private readonly context: ConsoleContext) {}

  private get admin(): boolean {
    return this.context.who.role === 'admin';
  }

  // Read afresh each time the panel opens: a secret shown before is gone from the screen.
  async load(): Promise<void> {
    if (!this.admin) return;
    this.shown = null;
    this.error = '';
    this.field = '';
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    try {
      this.data = await this.context.api.get<WebhookEndpoints>('webhooks');
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
  }

  // One POST webhooks; true when it worked. A new secret in the answer is kept on screen.
  private async change(body: Change): Promise<boolean> {
    this.busy = true;
    this.error = '';
    this.field = '';
    this.shown = null;
    this.context.update();
    let worked = true;
    try {
      const answer = await this.context.api.post<Partial<WebhookSecret>>('webhooks', body);
      if (answer.secret) this.shown = { url: body.url, secret: answer.secret, rotated: body.action === 'rotate' };
    } catch (error) {
      worked = false;
      this.error = (error as Error).message;
      this.field = error instanceof ApiError ? error.field : '';
    }
    this.busy = false;
    await this.refresh();
    return worked;
  }

  private async add(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const url = String(data.get('webhook-url') ?? '').trim();
    if (await this.change({ action: 'add', url, events: data.getAll('webhook-event').map(String) })) form.reset();
    else if (this.field === 'url' || this.field === 'events')
      form.querySelector<HTMLElement>(`[name="webhook-${this.field === 'url' ? 'url' : 'event'}"]`)?.focus();
  }

  private async remove(url: string): Promise<void> {
    const { t } = this.context;
    if (!window.confirm(t('webhookRemoveConfirm', { url }))) return;
    if (await this.change({ action: 'remove', url })) this.context.notify(t('webhookRemoved', { url }));
  }

  view(): TemplateResult | typeof nothing {
    if (!this.admin) return nothing;
    const { t } = this.context;
    const data = this.data;
    return html`<section id="webhooks">
      <h2>${t('webhooksTitle')}</h2>
      <p class="help">${data && !data.editable ? t('webhooksReadOnly') : t('webhooksHelp')}</p>
      ${this.error ? html`<p class="error" role="alert" data-field=${this.field}>${this.error}</p>` : nothing}
      <div class="secret" role="status">${this.shown ? this.secretView(this.shown) : nothing}</div>
      ${
        data
          ? html`${data.endpoints.length === 0 ? html`<p class="empty">${t('empty')}</p>` : nothing}
              <ul class="endpoints">
                ${data.endpoints.map((endpoint) => this.row(endpoint, data.editable))}
              </ul>
              ${data.editable ? this.form(data.eventTypes) : nothing}`
          : this.error
            ? nothing
            : html`<p>${t('loading')}</p>`
      }
    </section>`;
  }

  private secretView(shown: ShownSecret): TemplateResult {
    const { t } = this.context;
    return html`<p>${t(shown.rotated ? 'webhookRotated' : 'webhookAdded', { url: shown.url })}</p>
      <code data-secret>${shown.secret}</code>
      <p class="help">${t('webhookSecretOnce')}</p>`;
  }

  private row(endpoint: WebhookEndpoint, editable: boolean): TemplateResult {
    const { t } = this.context;
    const fromFile = endpoint.source === 'file';
    return html`<li data-endpoint=${endpoint.url} data-source=${endpoint.source}>
      <code>${endpoint.url}</code>
      <span class="events">${endpoint.events.length ? endpoint.events.join(', ') : t('webhookEveryEvent')}</span>
      <span class="source">${t(fromFile ? 'webhookFromFile' : 'webhookFromConsole')}</span>
      <span>${t('webhookSecretHint', { hint: endpoint.secretHint, n: endpoint.secrets })}</span>
      ${
        fromFile || !editable
          ? nothing
          : html`<span class="actions">
              <button
                type="button"
                data-rotate=${endpoint.url}
                ?disabled=${this.busy}
                @click=${() => this.change({ action: 'rotate', url: endpoint.url })}
              >
                ${t('webhookRotate')}
              </button>
              <button
                type="button"
                data-remove=${endpoint.url}
                ?disabled=${this.busy}
                @click=${() => this.remove(endpoint.url)}
              >
                ${t('remove')}
              </button>
            </span>`
      }
    </li>`;
  }

  private form(eventTypes: string[]): TemplateResult {
    const { t } = this.context;
    return html`<form class="add-endpoint" @submit=${(event: Event) => this.add(event)}>
      <h3>${t('webhookAddTitle')}</h3>
      <label
        >${t('webhookUrl')}
        <input
          type="url"
          name="webhook-url"
          required
          placeholder="https://"
          aria-invalid=${this.field === 'url' ? 'true' : 'false'}
      /></label>
      <fieldset class=${this.field === 'events' ? 'invalid' : ''}>
        <legend>${t('webhookEvents')}</legend>
        ${eventTypes.map(
          (type) => html`<label><input type="checkbox" name="webhook-event" value=${type} /> ${type}</label>`,
        )}
      </fieldset>
      <button type="submit" class="primary" ?disabled=${this.busy}>${t('webhookAdd')}</button>
    </form>`;
  }
}
