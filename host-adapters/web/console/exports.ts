// Downloads: the period's metrics as CSV and JSON, and (for admins) the whole site as JSON. The API
// wants the Bearer header, so each file is fetched and handed to the browser as a blob.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { periodQuery, type ConsoleContext, type Panel } from './context';
import type { StringKey } from './strings';

// Hands a fetched file to the browser as a download.
export function saveFile(blob: Blob, filename: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

export class ExportPanel implements Panel {
  private error = '';

  constructor(private readonly context: ConsoleContext) {}

  async load(): Promise<void> {}

  private async download(path: string, filename: string): Promise<void> {
    try {
      saveFile(await this.context.api.download(path), filename);
      this.error = '';
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
  }

  view(): TemplateResult {
    const { t, who, api, period } = this.context;
    const query = periodQuery(period);
    const item = (name: string, label: StringKey, path: string, filename: string) =>
      html` <li>
        <button type="button" data-export=${name} @click=${() => this.download(path, filename)}>${t(label)}</button>
      </li>`;
    return html` <section id="export">
      <h2>${t('exportTitle')}</h2>
      <p class="help">${t('exportHelp')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <ul class="exports">
        ${item('metrics-csv', 'exportMetricsCsv', `metrics.csv?${query}`, `${api.site}-metrics.csv`)}
        ${item('days-csv', 'exportDaysCsv', `metrics-days.csv?${query}`, `${api.site}-metrics-days.csv`)}
        ${item('metrics-json', 'exportMetricsJson', `metrics?${query}`, `${api.site}-metrics.json`)}
        ${who.role === 'admin' ? item('site-json', 'exportSite', 'export', `${api.site}-export.json`) : nothing}
      </ul>
    </section>`;
  }
}
