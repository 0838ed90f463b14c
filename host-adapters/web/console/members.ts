// Members: search, a member's history (posts and the actions on them), and the changes a community
// manager makes to a member: role, trust level, sanctions and lifting them, and (admins) their data's export and erasure.
import { html, nothing, type TemplateResult } from 'lit/html.js';
import { live } from 'lit/directives/live.js';
import type { Member, MemberDetail } from './api';
import { dateTime, type ConsoleContext, type Panel } from './context';
import { saveFile } from './exports';
import type { StringKey } from './strings';

const ROLES = ['member', 'staff', 'moderator', 'admin'];
const SUSPENSION_MS = 7 * 86_400_000;
const STATE_WORDS: Record<string, StringKey> = {
  active: 'active',
  silenced: 'silenced',
  suspended: 'suspended',
  banned: 'banned',
};

export class MembersPanel implements Panel {
  private query = '';
  private members: Member[] = [];
  private total = 0;
  private detail: MemberDetail | null = null;
  private openId: string | null = null; // the member shown, when one is
  private reason = '';
  private chosenRole = ''; // the role and trust level picked for the open member, kept across renders
  private chosenTrustLevel = 0;
  private error = '';
  private searchTimer = 0;

  constructor(private readonly context: ConsoleContext) {}

  async load(): Promise<void> {
    if (this.openId) return this.open(this.openId);
    try {
      const found = await this.context.api.get<{ members: Member[]; total: number }>(
        `members?${new URLSearchParams({ q: this.query, limit: '50' })}`,
      );
      this.members = found.members;
      this.total = found.total;
      this.error = '';
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
  }

  // Shows this member the next time the panel loads.
  select(memberId: string): void {
    this.openId = memberId;
    this.detail = null;
  }

  async open(memberId: string): Promise<void> {
    clearTimeout(this.searchTimer); // a search typed before must not reload under the member's form
    this.openId = memberId;
    try {
      this.detail = await this.context.api.get<MemberDetail>(`members/${encodeURIComponent(memberId)}`);
      this.chosenRole = this.detail.member.role;
      this.chosenTrustLevel = this.detail.member.trustLevel;
      this.error = '';
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
  }

  private async change(moderate: Record<string, unknown>, label: StringKey): Promise<void> {
    const { t, api } = this.context;
    const reason = this.reason.trim();
    if (!reason) {
      this.error = t('reasonNeeded');
      this.context.update();
      (document.querySelector('#member-reason') as HTMLInputElement | null)?.focus();
      return;
    }
    try {
      const { opId } = await api.act({ moderate: { ...moderate, memberId: this.detail!.member.id, reason } });
      this.reason = '';
      this.context.notify(t('done', { action: t(label), n: 1 }), async () => {
        await api.act({ undo: { moderationId: opId, reason: 'Undone from the members page' } });
        await this.load();
      });
      this.error = '';
    } catch (error) {
      this.error = t('failed', { action: t(label), message: (error as Error).message });
    }
    await this.load();
  }

  // Data rights (docs/data-rights.md): the admins' export and erasure of one member.
  private async exportData(member: Member): Promise<void> {
    const { api } = this.context;
    try {
      saveFile(
        await api.download(`members/${encodeURIComponent(member.id)}/export`),
        `${api.site}-member-${member.id}.json`,
      );
      this.error = '';
    } catch (error) {
      this.error = (error as Error).message;
    }
    this.context.update();
  }

  private async erase(member: Member): Promise<void> {
    const { t, api } = this.context;
    const reason = this.reason.trim();
    if (!reason) {
      this.error = t('reasonNeeded');
      this.context.update();
      return;
    }
    if (!window.confirm(t('eraseConfirm', { name: member.displayName || member.id }))) return;
    try {
      await api.act({ moderate: { action: 'erase', memberId: member.id, reason } });
      this.reason = '';
      this.context.notify(t('erased'));
      this.error = '';
    } catch (error) {
      this.error = t('failed', { action: t('eraseMember'), message: (error as Error).message });
    }
    await this.load();
  }

  view(): TemplateResult {
    if (this.openId)
      return this.detail ? this.detailView(this.detail) : html`<p>${this.error || this.context.t('loading')}</p>`;
    return this.listView();
  }

  private stateWord(member: Member): string {
    const { t } = this.context;
    return member.guest ? t('guest') : t(STATE_WORDS[member.state] ?? 'active');
  }

  private listView(): TemplateResult {
    const { t, language } = this.context;
    return html` <section id="members">
      <h2>${t('membersTitle')} <span class="count">${this.total}</span></h2>
      <input
        type="search"
        name="q"
        aria-label=${t('search')}
        placeholder=${t('search')}
        .value=${live(this.query)}
        @input=${(e: Event) => {
          this.query = (e.target as HTMLInputElement).value;
          clearTimeout(this.searchTimer);
          this.searchTimer = window.setTimeout(() => void this.load(), 200);
        }}
      />
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <table>
        <thead>
          <tr>
            <th>${t('name')}</th>
            <th>${t('role')}</th>
            <th>${t('trustLevel')}</th>
            <th>${t('reputation')}</th>
            <th>${t('posts')}</th>
            <th>${t('state')}</th>
            <th>${t('joined')}</th>
          </tr>
        </thead>
        <tbody>
          ${this.members.map(
            (member) =>
              html` <tr data-member-id=${member.id}>
                <td>
                  <button type="button" class="link" @click=${() => this.open(member.id)}>
                    ${member.displayName || member.id}
                  </button>
                  <small>${member.id}</small>
                </td>
                <td>${member.role}</td>
                <td class="number">${member.trustLevel}</td>
                <td class="number">${member.reputation}</td>
                <td class="number">${member.postCount}</td>
                <td>${this.stateWord(member)}</td>
                <td>${dateTime(member.joinedAt, language)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </section>`;
  }

  private detailView({ member, posts, audit }: MemberDetail): TemplateResult {
    const { t, language, who } = this.context;
    return html` <section id="member" data-member-id=${member.id}>
      <button
        type="button"
        @click=${() => {
          this.openId = null;
          this.detail = null;
          void this.load();
        }}
      >
        ${t('back')}
      </button>
      <h2>${member.displayName || member.id} <small>${member.id}</small></h2>
      <dl class="facts">
        <dt>${t('role')}</dt>
        <dd data-fact="role">${member.role}</dd>
        <dt>${t('trustLevel')}</dt>
        <dd data-fact="trustLevel">${member.trustLevel}</dd>
        <dt>${t('reputation')}</dt>
        <dd data-fact="reputation">${member.reputation}</dd>
        <dt>${t('posts')}</dt>
        <dd>${member.postCount}</dd>
        <dt>${t('state')}</dt>
        <dd data-fact="state">
          ${this.stateWord(member)}${member.state === 'suspended' ? html` — ${dateTime(member.stateUntil, language)}` : nothing}
        </dd>
        <dt>${t('joined')}</dt>
        <dd>${dateTime(member.joinedAt, language)}</dd>
      </dl>
      <div class="toolbar">
        <label
          >${t('reason')}
          <input
            id="member-reason"
            maxlength="500"
            placeholder=${t('reasonPlaceholder')}
            .value=${live(this.reason)}
            @input=${(e: Event) => {
              this.reason = (e.target as HTMLInputElement).value;
            }}
        /></label>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <div class="toolbar">
        ${
          who.role === 'admin'
            ? html` <label
                  >${t('role')}
                  <select
                    name="role"
                    @change=${(e: Event) => {
                      this.chosenRole = (e.target as HTMLSelectElement).value;
                    }}
                  >
                    ${ROLES.map((name) => html`<option value=${name} ?selected=${name === this.chosenRole}>${name}</option>`)}
                  </select></label
                >
                <button
                  type="button"
                  data-change="role"
                  @click=${() => this.change({ action: 'set_role', role: this.chosenRole }, 'changeRole')}
                >
                  ${t('changeRole')}
                </button>`
            : nothing
        }
        <label
          >${t('trustLevel')}
          <select
            name="trustLevel"
            @change=${(e: Event) => {
              this.chosenTrustLevel = Number((e.target as HTMLSelectElement).value);
            }}
          >
            ${[0, 1, 2, 3, 4].map((level) => html`<option value=${level} ?selected=${level === this.chosenTrustLevel}>${level}</option>`)}
          </select></label
        >
        <button
          type="button"
          data-change="trust"
          @click=${() => this.change({ action: 'set_trust_level', trustLevel: this.chosenTrustLevel }, 'changeTrust')}
        >
          ${t('changeTrust')}
        </button>
      </div>
      <div class="toolbar">
        ${
          member.state !== 'active'
            ? html`<button
                type="button"
                data-change="unban"
                @click=${() => this.change({ action: 'unban' }, 'liftSanction')}
              >
                ${t('liftSanction')}
              </button>`
            : html` <button
                  type="button"
                  data-change="silence"
                  @click=${() => this.change({ action: 'silence' }, 'silence')}
                >
                  ${t('silence')}
                </button>
                <button
                  type="button"
                  data-change="suspend"
                  @click=${() => this.change({ action: 'suspend', until: Date.now() + SUSPENSION_MS }, 'suspend')}
                >
                  ${t('suspend')}
                </button>
                <button type="button" data-change="ban" @click=${() => this.change({ action: 'ban' }, 'ban')}>
                  ${t('ban')}
                </button>`
        }
      </div>
      ${
        who.role === 'admin'
          ? html` <div class="toolbar">
              <button type="button" data-change="export" @click=${() => this.exportData(member)}>
                ${t('exportMember')}
              </button>
              <button type="button" data-change="erase" @click=${() => this.erase(member)}>${t('eraseMember')}</button>
            </div>`
          : nothing
      }
      <h3>${t('memberPosts')}</h3>
      ${
        posts.length === 0
          ? html`<p class="empty">${t('empty')}</p>`
          : html`<ul class="posts">
              ${posts.map(
                (post) =>
                  html` <li data-post-id=${post.id}>
                    <strong>${post.threadKey}</strong> · ${post.state} · ${post.score} ·
                    ${dateTime(post.createdAt, language)}
                    <div class="body">${post.body}</div>
                  </li>`,
              )}
            </ul>`
      }
      <h3>${t('memberAudit')}</h3>
      ${
        audit.length === 0
          ? html`<p class="empty">${t('empty')}</p>`
          : html`<ul>
              ${audit.map(
                (entry) =>
                  html` <li>
                    ${dateTime(entry.time, language)} · ${entry.actorId} · ${entry.action} ·
                    ${entry.reason}${entry.undone ? ' (undone)' : ''}
                  </li>`,
              )}
            </ul>`
      }
    </section>`;
  }
}
