// The dashboard: the metrics of the chosen period (docs/metrics.md), unanswered questions first, with
// daily charts. The same period feeds the champions and the metrics export.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import type { Metrics, Ratio } from './api';
import { DailyChart } from './charts';
import { duration, percent, periodQuery, type ConsoleContext, type Panel } from './context';
import { periodControls } from './period';
import type { StringKey } from './strings';

export class DashboardPanel implements Panel {
  metrics: Metrics | null = null;
  private unanswered = 0;
  private error = '';
  private readonly activity: DailyChart;
  private readonly moderation: DailyChart;

  constructor(private readonly context: ConsoleContext) {
    this.activity = new DailyChart(context.t('chartActivity'));
    this.moderation = new DailyChart(context.t('chartModeration'));
  }

  async load(): Promise<void> {
    const { api, period } = this.context;
    try {
      const [metrics, unanswered] = await Promise.all([
        api.get<Metrics>(`metrics?${periodQuery(period)}`),
        api.get<{ count: number }>('unanswered'),
      ]);
      this.metrics = metrics;
      this.unanswered = unanswered.count;
      this.error = '';
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
    this.drawCharts();
  }

  private drawCharts(): void {
    const { t } = this.context;
    const days = this.metrics?.days ?? [];
    const dates = days.map((day) => day.date);
    // After lit has placed the containers: uPlot measures them.
    requestAnimationFrame(() => {
      this.activity.show(dates, [
        { label: t('questions'), values: days.map((day) => day.questions), color: '#2563eb' },
        { label: t('answers'), values: days.map((day) => day.answers), color: '#16a34a' },
      ]);
      this.moderation.show(dates, [
        { label: t('moderationActions'), values: days.map((day) => day.moderationActions), color: '#b45309' },
      ]);
    });
  }

  view(): TemplateResult {
    const { t } = this.context;
    const metrics = this.metrics;
    const tile = (name: string, label: StringKey, value: string, detail = '') =>
      html` <div class="tile" data-metric=${name}>
        <span class="label">${t(label)}</span
        ><strong>${value}</strong> ${detail ? html`<small>${detail}</small>` : nothing}
      </div>`;
    const ratio = (name: string, label: StringKey, value: Ratio) =>
      tile(name, label, value.of ? percent(value.permille) : '—', `${value.count} / ${value.of}`);
    return html` <section id="dashboard">
      <h2>${t('navDashboard')}</h2>
      ${periodControls(this.context, () => void this.load())}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        metrics
          ? html` <div class="tiles first-line">
                ${tile('unanswered', 'unansweredNow', String(this.unanswered))}
                ${tile('questionsAsked', 'questionsAsked', String(metrics.questionsAsked))}
                ${ratio('answerRate', 'answerRate', metrics.answerRate)}
                ${ratio('solved', 'solvedRate', metrics.solved)}
                ${tile('firstResponseMedian', 'firstResponseMedian', duration(metrics.timeToFirstResponse.medianMs))}
                ${tile('firstResponseP90', 'firstResponseP90', duration(metrics.timeToFirstResponse.p90Ms))}
              </div>
              <div class="charts">${this.activity.element}${this.moderation.element}</div>
              <div class="tiles">
                ${ratio('answeredWithin24h', 'within24h', metrics.answeredWithin24h)}
                ${tile('firstResponses', 'communityVsStaff', `${metrics.deflection.firstResponsesByCommunity} / ${metrics.deflection.firstResponsesByStaff}`)}
                ${tile('accepted', 'acceptedCommunityVsStaff', `${metrics.deflection.acceptedByCommunity} / ${metrics.deflection.acceptedByStaff}`)}
                ${tile('activeContributors', 'activeContributors', String(metrics.activeContributors))}
                ${metrics.importedPosts ? tile('importedPosts', 'importedPosts', String(metrics.importedPosts)) : nothing}
                ${tile('newMembers', 'newMembers', String(metrics.newMembers.count))}
                ${ratio('returnedAfterDay1', 'retentionDay1', metrics.newMembers.returnedAfterDay1)}
                ${ratio('returnedAfterWeek1', 'retentionWeek1', metrics.newMembers.returnedAfterWeek1)}
                ${tile('moderationActions', 'moderationActions', String(metrics.moderation.actions))}
                ${tile('moderationMedian', 'moderationMedian', duration(metrics.moderation.medianTimeToModerateMs))}
                ${ratio('spamCaughtBeforeSeen', 'spamCaught', metrics.moderation.spamCaughtBeforeSeen)}
                ${ratio('flagAccuracy', 'flagAccuracy', metrics.moderation.flagAccuracy)}
              </div>`
          : html`<p>${t('loading')}</p>`
      }
    </section>`;
  }
}
