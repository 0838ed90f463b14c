// What every panel of the console is given: the API, who is signed in, the words, and the shell's
// services (re-render, notices with undo, moving to another panel).
import type { TemplateResult } from 'lit/html.js';
import type { ConsoleApi, Whoami } from './api';
import type { Language, Translate } from './strings';

export interface Period {
  from: number;
  to: number;
  kind: '' | 'question' | 'discussion';
}

export interface ConsoleContext {
  api: ConsoleApi;
  who: Whoami;
  t: Translate;
  language: Language;
  period: Period;
  update(): void;
  // A notice at the bottom of the screen; with `undo`, a button (and the u key) that calls it.
  notify(message: string, undo?: () => Promise<void>): void;
  showMember(memberId: string): void;
  // The host page of a thread, from the pattern the manager set; null when none is set.
  threadLink(threadKey: string): string | null;
}

export interface Panel {
  load(): Promise<void>;
  view(): TemplateResult;
  // A key pressed outside a text field; true when the panel used it.
  keydown?(event: KeyboardEvent): boolean;
}

// Runs a panel's fetch: '' when it worked, else the message the panel shows.
export async function attempt(task: () => Promise<void>): Promise<string> {
  try {
    await task();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

const DAY_MS = 86_400_000;

// The last `days` whole UTC days up to and including today.
export function lastDays(days: number, now: number): { from: number; to: number } {
  const to = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  return { from: to - days * DAY_MS, to };
}

export function periodQuery(period: Period): string {
  const query = new URLSearchParams({ from: String(period.from), to: String(period.to) });
  if (period.kind) query.set('kind', period.kind);
  return query.toString();
}

export function percent(permille: number): string {
  return `${(permille / 10).toFixed(1)}%`;
}

export function duration(ms: number): string {
  if (ms <= 0) return '—';
  if (ms < 60_000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = ms / 3_600_000;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

export function dateTime(ms: number, language: Language): string {
  return ms
    ? new Date(ms).toLocaleString(language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' })
    : '—';
}

// A thread's page on the host's site, from the pattern the manager gave ("…{key}…"); only http(s)
// or site-relative addresses, so a pattern can never become a script URL.
const patternKey = (site: string) => `kring-console-thread-pattern:${site}`;

export function threadPattern(site: string): string {
  return localStorage.getItem(patternKey(site)) ?? '';
}

export function setThreadPattern(site: string, pattern: string): void {
  localStorage.setItem(patternKey(site), pattern);
}

export function threadLinkOf(pattern: string, threadKey: string): string | null {
  if (!pattern.includes('{key}') || !/^(https?:\/\/|\/)/i.test(pattern)) return null;
  return pattern.replace('{key}', encodeURIComponent(threadKey));
}

export function isTextField(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}
