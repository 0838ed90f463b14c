// The audit log: every moderator action and policy change, newest first, filtered by moderator,
// member, action and date, each undoable from here (a policy change is undone by saving the old one).
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { AuditEntry } from './api';
import { attempt, dateTime, type ConsoleContext, type Panel } from './context';

const SHOWN = 500; // rows rendered at once; the filters narrow the rest

export class AuditPanel implements Panel {
  private entries: AuditEntry[] = [];
  private filter = { moderator: '', member: '', action: '', from: '', to: '' };
  private error = '';
  private loaded = false;

  constructor(private readonly context: ConsoleContext) {}

  async load(): Promise<void> {
    this.error = await attempt(async () => {
      // The newest thousand (the API's page limit): the filters search those.
      this.entries = (await this.context.api.get<AuditEntry[]>('audit?limit=1000')).reverse();
    });
    this.loaded = true;
    this.context.update();
  }

  private matching(): AuditEntry[] {
    const { moderator, member, action, from, to } = this.filter;
    const fromMs = from ? Date.parse(`${from}T00:00:00Z`) : 0;
    const toMs = to ? Date.parse(`${to}T00:00:00Z`) + 86_400_000 : Infinity;
    const has = (value: string, wanted: string) => !wanted || value.toLowerCase().includes(wanted.toLowerCase());
    return this.entries.filter(
      (entry) =>
        has(entry.actorId, moderator) &&
        has(entry.memberId, member) &&
        (!action || entry.action === action) &&
        entry.time >= fromMs &&
        entry.time < toMs,
    );
  }

  private async undo(entry: AuditEntry): Promise<void> {
    const { api, t } = this.context;
    try {
      await api.act({ undo: { moderationId: entry.id, reason: 'Undone from the audit log' } });
      this.context.notify(t('undone'));
    } catch (error) {
      this.error = t('failed', { action: t('undo'), message: (error as Error).message });
    }
    await this.load();
  }

  view(): TemplateResult {
    const { t, language } = this.context;
    const actions = [...new Set(this.entries.map((entry) => entry.action))].sort();
    const field = (name: keyof AuditPanel['filter']) => (e: Event) => {
      this.filter[name] = (e.target as HTMLInputElement).value;
      this.context.update();
    };
    const rows = this.matching();
    return html` <section id="audit">
      <h2>${t('auditTitle')}</h2>
      <div class="toolbar">
        <label
          >${t('filterModerator')} <input name="moderator" .value=${this.filter.moderator} @input=${field('moderator')}
        /></label>
        <label
          >${t('filterMember')} <input name="member" .value=${this.filter.member} @input=${field('member')}
        /></label>
        <label
          >${t('filterAction')}
          <select name="action" @change=${field('action')}>
            <option value="">${t('anyAction')}</option>
            ${actions.map((action) => html`<option value=${action} ?selected=${this.filter.action === action}>${action}</option>`)}
          </select></label
        >
        <label
          >${t('filterFrom')} <input type="date" name="from" .value=${this.filter.from} @change=${field('from')}
        /></label>
        <label>${t('filterTo')} <input type="date" name="to" .value=${this.filter.to} @change=${field('to')} /></label>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        !this.loaded
          ? html`<p>${t('loading')}</p>`
          : rows.length === 0
            ? html`<p class="empty">${t('empty')}</p>`
            : html` <table>
                <thead>
                  <tr>
                    <th>${t('time')}</th>
                    <th>${t('filterModerator')}</th>
                    <th>${t('action')}</th>
                    <th>${t('target')}</th>
                    <th>${t('reason')}</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.slice(0, SHOWN).map(
                    (entry) =>
                      html` <tr
                        data-audit-id=${entry.id}
                        data-action=${entry.action}
                        class=${entry.undone ? 'undone' : ''}
                      >
                        <td>${dateTime(entry.time, language)}</td>
                        <td>${entry.actorId}</td>
                        <td>${entry.action}</td>
                        <td>
                          ${entry.memberId ? html`<button type="button" class="link" @click=${() => this.context.showMember(entry.memberId)}>${entry.memberId}</button>` : nothing}
                          ${entry.postId ? html`<span>${entry.postId}</span>` : nothing} ${entry.threadKey}
                        </td>
                        <td>
                          ${entry.reason}${entry.undone ? html`<br /><small>${t('undoneBy', { name: entry.undoneBy, reason: entry.undoReason })}</small>` : nothing}
                        </td>
                        <td>
                          ${
                            !entry.undone && entry.action !== 'update_policy'
                              ? html`<button type="button" data-undo @click=${() => this.undo(entry)}>
                                  ${t('undo')}
                                </button>`
                              : nothing
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
      }
    </section>`;
  }
}
