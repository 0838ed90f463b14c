// The community manager console (docs/console.md): sign-in, the panels of a community manager's day,
// English and Dutch, keyboard first. Rendered with lit-html into #console; it speaks only to the
// console API of the server that serves it.
import { html, nothing, render, type TemplateResult } from 'lit/html.js';
import { ApiError, ConsoleApi, type Whoami } from './api';
import { AuditPanel } from './audit';
import { ChampionsPanel } from './champions';
import {
  isTextField,
  lastDays,
  threadLinkOf,
  threadPattern,
  type ConsoleContext,
  type Panel,
  type Period,
} from './context';
import { DashboardPanel } from './dashboard';
import { ExportPanel } from './exports';
import { MembersPanel } from './members';
import { DeliveriesPanel } from './deliveries';
import { PolicyPanel } from './policy';
import { QueuePanel } from './queue';
import { languageOf, translator, type Language, type StringKey } from './strings';
import { UnansweredPanel } from './unanswered';

const SESSION_KEY = 'kring-console-session'; // sessionStorage: the credential dies with the tab
const LANGUAGE_KEY = 'kring-console-language';
const PANELS = [
  'queue',
  'unanswered',
  'dashboard',
  'champions',
  'audit',
  'members',
  'policy',
  'deliveries',
  'export',
] as const;
type PanelName = (typeof PANELS)[number];
const NAV_LABELS: Record<PanelName, StringKey> = {
  queue: 'navQueue',
  unanswered: 'navUnanswered',
  dashboard: 'navDashboard',
  champions: 'navChampions',
  audit: 'navAudit',
  members: 'navMembers',
  policy: 'navPolicy',
  deliveries: 'navDeliveries',
  export: 'navExport',
};

interface Session {
  site: string;
  credential: string;
}
interface Notice {
  message: string;
  undo?: () => Promise<void>;
}

class ConsoleApp {
  private readonly root: HTMLElement;
  private language: Language;
  private context: ConsoleContext | null = null;
  private panels: Record<PanelName, Panel> | null = null;
  private current: PanelName = 'queue';
  private notice: Notice | null = null;
  private signInError = '';
  private readonly period: Period = { ...lastDays(30, Date.now()), kind: '' };

  constructor(root: HTMLElement) {
    this.root = root;
    root.replaceChildren(); // the page's "Loading…" (lit renders beside what it did not render)
    const params = new URLSearchParams(location.search);
    this.language = languageOf(params.get('lang') ?? localStorage.getItem(LANGUAGE_KEY) ?? navigator.language);
    document.addEventListener('keydown', (event) => this.keydown(event));
    window.addEventListener('hashchange', () => this.showFromHash());
  }

  async start(): Promise<void> {
    const params = new URLSearchParams(location.search);
    // A host's sign-in hands over its token in the fragment, which no server or log sees; it moves
    // to this tab's session at once and leaves the address bar.
    const handed = new URLSearchParams(location.hash.slice(1)).get('token');
    if (handed && params.get('site')) {
      sessionStorage.setItem(SESSION_KEY, JSON.stringify({ site: params.get('site'), credential: handed }));
      history.replaceState(null, '', location.pathname + location.search);
    }
    const saved = sessionStorage.getItem(SESSION_KEY);
    if (saved) await this.signIn(JSON.parse(saved) as Session);
    else this.update();
  }

  private async signIn(session: Session): Promise<void> {
    const api = new ConsoleApi(session.site, session.credential);
    let who: Whoami;
    try {
      who = await api.get<Whoami>('whoami');
    } catch (error) {
      sessionStorage.removeItem(SESSION_KEY);
      this.signInError = error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
      this.update();
      return;
    }
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    this.signInError = '';
    const app = this;
    this.context = {
      api,
      who,
      period: this.period,
      get t() {
        return translator(app.language);
      },
      get language() {
        return app.language;
      },
      update: () => this.update(),
      notify: (message, undo) => {
        this.notice = { message, undo };
        this.update();
      },
      showMember: (memberId) => {
        (this.panels!.members as MembersPanel).select(memberId);
        void this.show('members');
      },
      threadLink: (threadKey) => threadLinkOf(threadPattern(session.site), threadKey),
    };
    const context = this.context;
    this.panels = {
      queue: new QueuePanel(context),
      unanswered: new UnansweredPanel(context),
      dashboard: new DashboardPanel(context),
      champions: new ChampionsPanel(context),
      audit: new AuditPanel(context),
      members: new MembersPanel(context),
      policy: new PolicyPanel(context),
      deliveries: new DeliveriesPanel(context),
      export: new ExportPanel(context),
    };
    // The counts on the navigation are known from the start.
    void this.panels.unanswered.load();
    this.showFromHash();
  }

  private signOut(): void {
    sessionStorage.removeItem(SESSION_KEY);
    this.context = null;
    this.panels = null;
    this.notice = null;
    this.update();
  }

  private showFromHash(): void {
    const wanted = location.hash.slice(1) as PanelName;
    void this.show(PANELS.includes(wanted) ? wanted : this.current);
  }

  private async show(name: PanelName): Promise<void> {
    if (!this.panels) return;
    this.current = name;
    if (location.hash.slice(1) !== name) history.replaceState(null, '', `#${name}`);
    this.update();
    await this.panels[name].load();
  }

  private setLanguage(language: Language): void {
    this.language = language;
    localStorage.setItem(LANGUAGE_KEY, language);
    this.update();
  }

  private keydown(event: KeyboardEvent): void {
    if (!this.panels || event.ctrlKey || event.metaKey || event.altKey || isTextField(event.target)) return;
    if (this.panels[this.current].keydown?.(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === 'u' && this.notice?.undo) {
      event.preventDefault();
      void this.undoNotice();
      return;
    }
    const index = Number(event.key) - 1;
    if (Number.isInteger(index) && index >= 0 && index < PANELS.length) {
      event.preventDefault();
      void this.show(PANELS[index]);
    }
  }

  private async undoNotice(): Promise<void> {
    const undo = this.notice?.undo;
    if (!undo || !this.context) return;
    this.notice = null;
    try {
      await undo();
      this.notice = { message: this.context.t('undone') };
    } catch (error) {
      this.notice = {
        message: this.context.t('failed', { action: this.context.t('undo'), message: (error as Error).message }),
      };
    }
    this.update();
  }

  update(): void {
    document.documentElement.lang = this.language;
    render(this.context ? this.shell(this.context) : this.signInForm(), this.root);
  }

  private languagePicker(): TemplateResult {
    const t = translator(this.language);
    return html`<label class="language"
      >${t('language')}
      <select
        name="language"
        @change=${(e: Event) => this.setLanguage((e.target as HTMLSelectElement).value as Language)}
      >
        <option value="en" ?selected=${this.language === 'en'}>English</option>
        <option value="nl" ?selected=${this.language === 'nl'}>Nederlands</option>
      </select></label
    >`;
  }

  private signInForm(): TemplateResult {
    const t = translator(this.language);
    const site = new URLSearchParams(location.search).get('site') ?? '';
    const submit = (event: Event) => {
      event.preventDefault();
      const form = new FormData(event.target as HTMLFormElement);
      void this.signIn({ site: String(form.get('site')).trim(), credential: String(form.get('credential')).trim() });
    };
    return html` <main class="sign-in">
      <h1>${t('signInTitle')}</h1>
      <p>${t('signInHelp')}</p>
      <form @submit=${submit}>
        <label>${t('site')} <input name="site" required autocomplete="off" .value=${site} /></label>
        <label>${t('credential')} <input name="credential" type="password" required autocomplete="off" /></label>
        <button type="submit" class="primary">${t('signIn')}</button>
      </form>
      ${this.signInError ? html`<p class="error" role="alert" data-sign-in-error>${this.signInError}</p>` : nothing}
      ${this.languagePicker()}
    </main>`;
  }

  private shell(context: ConsoleContext): TemplateResult {
    const { t, who } = context;
    const panels = this.panels!;
    const counts: Partial<Record<PanelName, number>> = {
      queue: (panels.queue as QueuePanel).count,
      unanswered: (panels.unanswered as UnansweredPanel).count,
    };
    return html` <header class="top">
        <h1>${t('title')} · ${who.site}</h1>
        <span data-who>${t('signedInAs', { name: who.displayName || who.memberId, role: who.role })}</span>
        ${this.languagePicker()}
        <button type="button" @click=${() => this.signOut()}>${t('signOut')}</button>
      </header>
      <nav aria-label="Console">
        ${PANELS.map(
          (name, index) =>
            html` <button
              type="button"
              data-panel=${name}
              aria-current=${name === this.current ? 'page' : 'false'}
              title=${`${index + 1}`}
              @click=${() => this.show(name)}
            >
              ${t(NAV_LABELS[name])}${
                counts[name] !== undefined
                  ? html` <span class="count" data-nav-count=${name}>${counts[name]}</span>`
                  : nothing
              }
            </button>`,
        )}
      </nav>
      <main>${panels[this.current].view()}</main>
      ${
        this.notice
          ? html`<div class="notice" role="status">
              ${this.notice.message}
              ${this.notice.undo ? html`<button type="button" data-undo-notice @click=${() => this.undoNotice()}>${t('undo')} (u)</button>` : nothing}
              <button
                type="button"
                aria-label="×"
                @click=${() => {
                  this.notice = null;
                  this.update();
                }}
              >
                ×
              </button>
            </div>`
          : nothing
      }`;
  }
}

void new ConsoleApp(document.getElementById('console')!).start();
