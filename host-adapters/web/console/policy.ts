// The policy editor: every setting and watched word of the site as a form. Saving sends an
// updatePolicy op: the core validates it (a bad value is refused with the field named), audits it,
// and it takes effect at once for every widget.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { live } from 'lit/directives/live.js';
import { ApiError, type PolicyJson } from './api';
import type { ConsoleContext, Panel } from './context';

const WATCH_ACTIONS = ['block', 'censor', 'require_approval', 'flag'];

export class PolicyPanel implements Panel {
  private policy: PolicyJson | null = null;
  private error = '';
  private badField = '';
  private saved = false;

  constructor(private readonly context: ConsoleContext) {}

  async load(): Promise<void> {
    try {
      this.policy = await this.context.api.get<PolicyJson>('policy');
      this.policy.watchedWords ??= [];
      this.error = '';
      this.badField = '';
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
  }

  private async save(): Promise<void> {
    const { api, t } = this.context;
    if (!this.policy) return;
    try {
      await api.act({ policy: this.policy });
      this.saved = true;
      this.context.notify(t('saved'));
      await this.load();
    } catch (error) {
      this.saved = false;
      this.error = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
      this.badField = error instanceof ApiError ? error.field.replace(/^settings\./, '') : ''; // "settings.x" names input x
      this.context.update();
      if (this.badField)
        (document.querySelector(`#policy [name="${CSS.escape(this.badField)}"]`) as HTMLElement | null)?.focus();
    }
  }

  view(): TemplateResult {
    const { t, who } = this.context;
    const policy = this.policy;
    if (!policy) return html`<section id="policy"><p>${this.error || t('loading')}</p></section>`;
    const readOnly = who.role !== 'admin';
    const names = Object.keys(policy.settings).sort();
    return html` <section id="policy">
      <h2>${t('policyTitle')}</h2>
      <p class="help">${readOnly ? t('adminsOnly') : t('policyHelp')}</p>
      ${this.error ? html`<p class="error" role="alert" data-field=${this.badField}>${this.error}</p>` : nothing}
      <form
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.save();
        }}
      >
        <fieldset ?disabled=${readOnly}>
          <legend>${t('settings')}</legend>
          <div class="settings">
            ${names.map(
              (name) =>
                html` <label class=${name === this.badField ? 'invalid' : ''}
                  >${name}
                  <input
                    type="number"
                    step="1"
                    name=${name}
                    aria-invalid=${name === this.badField ? 'true' : 'false'}
                    .value=${live(String(policy.settings[name]))}
                    @input=${(e: Event) => {
                      policy.settings[name] = Number((e.target as HTMLInputElement).value);
                    }}
                  />
                </label>`,
            )}
          </div>
        </fieldset>
        <fieldset ?disabled=${readOnly}>
          <legend>${t('watchedWords')}</legend>
          <table class="words">
            <thead>
              <tr>
                <th>${t('word')}</th>
                <th>${t('locale')}</th>
                <th>${t('action')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${policy.watchedWords.map(
                (word, index) =>
                  html`<tr>
                    <td>
                      <input
                        name="word-${index}"
                        .value=${live(word.word)}
                        @input=${(e: Event) => {
                          word.word = (e.target as HTMLInputElement).value;
                        }}
                      />
                    </td>
                    <td>
                      <input
                        name="locale-${index}"
                        size="4"
                        .value=${live(word.locale)}
                        @input=${(e: Event) => {
                          word.locale = (e.target as HTMLInputElement).value;
                        }}
                      />
                    </td>
                    <td>
                      <select
                        @change=${(e: Event) => {
                          word.action = (e.target as HTMLSelectElement).value;
                        }}
                      >
                        ${WATCH_ACTIONS.map((action) => html`<option ?selected=${action === word.action}>${action}</option>`)}
                      </select>
                    </td>
                    <td>
                      <button
                        type="button"
                        @click=${() => {
                          policy.watchedWords.splice(index, 1);
                          this.context.update();
                        }}
                      >
                        ${t('remove')}
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <button
            type="button"
            @click=${() => {
              policy.watchedWords.push({ word: '', locale: '*', action: 'flag' });
              this.context.update();
            }}
          >
            ${t('addWord')}
          </button>
        </fieldset>
        ${readOnly ? nothing : html`<button type="submit" class="primary">${t('save')}</button>`}
        ${this.saved ? html`<span data-saved>${t('saved')}</span>` : nothing}
      </form>
    </section>`;
  }
}
