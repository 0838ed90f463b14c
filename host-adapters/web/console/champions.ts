// The community's own top contributors of the period (staff excluded, per thread kind): who to thank.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { Champion, Metrics } from './api';
import { attempt, periodQuery, type ConsoleContext, type Panel } from './context';
import { periodControls } from './period';

export class ChampionsPanel implements Panel {
  private champions: Champion[] = [];
  private error = '';
  private loaded = false;

  constructor(private readonly context: ConsoleContext) {}

  async load(): Promise<void> {
    this.error = await attempt(async () => {
      this.champions = (await this.context.api.get<Metrics>(`metrics?${periodQuery(this.context.period)}`)).champions;
    });
    this.loaded = true;
    this.context.update();
  }

  view(): TemplateResult {
    const { t } = this.context;
    return html` <section id="champions">
      <h2>${t('championsTitle')}</h2>
      <p class="help">${t('championsHelp')}</p>
      ${periodControls(this.context, () => void this.load())}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        !this.loaded
          ? html`<p>${t('loading')}</p>`
          : this.champions.length === 0
            ? html`<p class="empty">${t('empty')}</p>`
            : html` <table>
                <thead>
                  <tr>
                    <th>${t('name')}</th>
                    <th>${t('reputationGained')}</th>
                    <th>${t('acceptedAnswers')}</th>
                    <th>${t('helpfulFlags')}</th>
                    <th>${t('posts')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.champions.map(
                    (champion) =>
                      html` <tr data-member-id=${champion.memberId}>
                        <td>${champion.displayName || champion.memberId}</td>
                        <td class="number">${champion.reputationGained}</td>
                        <td class="number">${champion.acceptedAnswers}</td>
                        <td class="number">${champion.helpfulFlags}</td>
                        <td>
                          <button type="button" class="link" @click=${() => this.context.showMember(champion.memberId)}>
                            ${t('viewMember')}
                          </button>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
      }
    </section>`;
  }
}
