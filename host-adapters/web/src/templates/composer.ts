// A composer: Markdown written or previewed, sent with its button or Ctrl+Enter (⌘+Enter);
// Escape cancels a reply or an edit.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { live } from 'lit/directives/live.js';
import { bodyOf } from './body';
import type { StringKey } from '../strings';
import type { Screen } from './screen';

export function composer(
  screen: Screen,
  key: string,
  placeholderKey: StringKey,
  submitKey: StringKey,
  submit: (body: string) => boolean,
  onCancel?: () => void,
): TemplateResult {
  const {
    t,
    ui: { drafts, previewing: previews },
  } = screen;
  if (screen.readOnly) return html`<p class="status" part="sign-in-to-post">${t('guestsReadOnly')}</p>`;
  const draft = drafts.get(key) ?? '';
  const previewing = previews.has(key);
  const send = () => {
    const body = (drafts.get(key) ?? '').trim();
    if (!body) return;
    if (submit(body)) {
      drafts.delete(key);
      previews.delete(key);
      screen.rerender();
    }
  };
  const togglePreview = (on: boolean) => {
    if (on) previews.add(key);
    else previews.delete(key);
    screen.rerender();
  };
  return html` <form
    class="composer"
    part="composer"
    data-composer=${key}
    @submit=${(e: Event) => {
      e.preventDefault();
      send();
    }}
  >
    <div class="tabs" part="composer-tabs">
      <button
        type="button"
        part="composer-tab"
        aria-pressed=${String(!previewing)}
        @click=${() => togglePreview(false)}
      >
        ${t('write')}
      </button>
      <button type="button" part="composer-tab" aria-pressed=${String(previewing)} @click=${() => togglePreview(true)}>
        ${t('preview')}
      </button>
    </div>
    ${
      previewing
        ? html`<div class="preview body" part="preview" aria-label=${t('preview')}>
            ${draft.trim() ? bodyOf(screen.previewHtml(draft), draft) : t('nothingToPreview')}
          </div>`
        : html`<textarea
            part="textarea"
            maxlength="20000"
            aria-label=${t(placeholderKey)}
            placeholder=${t(placeholderKey)}
            .value=${live(draft)}
            @input=${(e: Event) => drafts.set(key, (e.target as HTMLTextAreaElement).value)}
            @keydown=${(e: KeyboardEvent) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                send();
              }
              if (e.key === 'Escape' && onCancel) {
                e.preventDefault();
                onCancel();
              }
            }}
          ></textarea>`
    }
    <div class="row">
      ${onCancel ? html`<button type="button" part="cancel" @click=${onCancel}>${t('cancel')}</button>` : nothing}
      <button type="submit" class="primary" part="submit">${t(submitKey)}</button>
    </div>
  </form>`;
}
