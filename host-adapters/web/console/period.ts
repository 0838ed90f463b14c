// The period and thread kind the dashboard, champions and metrics export share.
import { html, type TemplateResult } from 'lit/html.js';
import { lastDays, type ConsoleContext, type Period } from './context';

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function periodControls(context: ConsoleContext, changed: () => void): TemplateResult {
  const { t, period } = context;
  const set = (next: Partial<Period>) => {
    Object.assign(period, next);
    changed();
  };
  const preset = (days: number) => set(lastDays(days, Date.now()));
  const day = (value: string) => Date.parse(`${value}T00:00:00Z`);
  return html` <div class="toolbar period" role="group" aria-label=${t('period')}>
    <button type="button" data-days="7" @click=${() => preset(7)}>${t('last7')}</button>
    <button type="button" data-days="30" @click=${() => preset(30)}>${t('last30')}</button>
    <button type="button" data-days="90" @click=${() => preset(90)}>${t('last90')}</button>
    <label
      >${t('filterFrom')}
      <input
        type="date"
        name="from"
        .value=${isoDay(period.from)}
        @change=${(e: Event) => {
          const from = day((e.target as HTMLInputElement).value);
          if (from < period.to) set({ from });
        }}
    /></label>
    <label
      >${t('filterTo')}
      <input
        type="date"
        name="to"
        .value=${isoDay(period.to - DAY_MS)}
        @change=${(e: Event) => {
          const to = day((e.target as HTMLInputElement).value) + DAY_MS;
          if (to > period.from) set({ to });
        }}
    /></label>
    <label
      >${t('kind')}
      <select
        name="kind"
        @change=${(e: Event) => set({ kind: (e.target as HTMLSelectElement).value as Period['kind'] })}
      >
        <option value="" ?selected=${period.kind === ''}>${t('kindAll')}</option>
        <option value="question" ?selected=${period.kind === 'question'}>${t('kindQuestion')}</option>
        <option value="discussion" ?selected=${period.kind === 'discussion'}>${t('kindDiscussion')}</option>
      </select>
    </label>
  </div>`;
}
