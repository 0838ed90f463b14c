// The console API (docs/console.md): JSON over fetch with the signed-in credential as a Bearer token.
// Errors come back as ApiError with the server's reason code, message and the field it names.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field = '',
  ) {
    super(message);
  }
}

export interface Whoami {
  site: string;
  memberId: string;
  displayName: string;
  role: 'admin' | 'moderator';
}
export interface Member {
  id: string;
  displayName: string;
  role: string;
  trustLevel: number;
  reputation: number;
  state: string;
  stateUntil: number;
  postCount: number;
  joinedAt: number;
  guest: boolean;
  roleAssigned: boolean;
  trustLevelGranted: boolean;
}
export interface Flag {
  memberId: string;
  reason: string;
  weight: number;
  time: number;
  trustLevel: number | null;
}
export interface QueueItem {
  postId: string;
  category: 'held' | 'flagged' | 'firstPost';
  threadKey: string;
  threadTitle: string;
  threadKind: string;
  body: string;
  createdAt: number;
  state: string;
  heldReason: string;
  stage: string | null;
  spamScore: number;
  flagScore: number;
  author: Member;
  openFlags: Flag[];
}
export interface Starter {
  postId: string;
  threadKey: string;
  threadTitle: string;
  threadKind: string;
  authorId: string;
  createdAt: number;
  waitingMs: number;
}
export interface AuditEntry {
  id: string;
  actorId: string;
  action: string;
  reason: string;
  time: number;
  sequence: number;
  postId: string;
  threadKey: string;
  memberId: string;
  undone: boolean;
  undoneBy: string;
  undoReason: string;
  undoTime: number;
}
export interface Ratio {
  count: number;
  of: number;
  permille: number;
}
export interface Champion {
  memberId: string;
  displayName: string;
  reputationGained: number;
  acceptedAnswers: number;
  helpfulFlags: number;
}
export interface MetricsDay {
  date: string;
  questions: number;
  answers: number;
  moderationActions: number;
  newMembers: number;
}
export interface Metrics {
  from: number;
  to: number;
  threadKind: string;
  questionsAsked: number;
  timeToFirstResponse: { responded: number; medianMs: number; p90Ms: number };
  answerRate: Ratio;
  answeredWithin24h: Ratio;
  answeredWithin7d: Ratio;
  solved: Ratio;
  deflection: {
    firstResponsesByCommunity: number;
    firstResponsesByStaff: number;
    acceptedByCommunity: number;
    acceptedByStaff: number;
  };
  activeContributors: number;
  importedPosts: number; // of the window's posts, brought in from another system on their original days
  champions: Champion[];
  newMembers: { count: number; returnedAfterDay1: Ratio; returnedAfterWeek1: Ratio };
  moderation: {
    actions: number;
    byAction: Record<string, number>;
    medianTimeToModerateMs: number;
    spamCaughtBeforeSeen: Ratio;
    flagAccuracy: Ratio;
  };
  days: MetricsDay[];
}
export interface MemberPost {
  id: string;
  threadKey: string;
  parentId: string;
  body: string;
  state: string;
  createdAt: number;
  score: number;
  accepted: boolean;
  featured: boolean;
}
export interface MemberDetail {
  member: Member;
  posts: MemberPost[];
  audit: AuditEntry[];
}
export interface PolicyJson {
  settings: Record<string, number>;
  watchedWords: { locale: string; word: string; action: string }[];
  trustedLinkDomains?: string[]; // kept as it came: the editor does not show it
}
// The outbox's dead deliveries (GET dead-letters); a mail names its recipient by member id only.
export interface DeadMail {
  id: number;
  kind: string;
  recipientId: string;
  threadKey: string;
  postId: string;
  attempts: number;
  outcome: string;
  createdAt: number;
  deadAt: number;
}
export interface DeadWebhook {
  id: number;
  url: string;
  type: string;
  subject: string;
  threadKey: string;
  attempts: number;
  outcome: string;
  createdAt: number;
  deadAt: number;
}
// The webhook delivery log: every delivery, whatever its state (doneAt 0 while pending).
export interface LoggedWebhook {
  id: number;
  url: string;
  type: string;
  subject: string;
  threadKey: string;
  state: 'pending' | 'sent' | 'skipped' | 'dead';
  attempts: number;
  outcome: string;
  createdAt: number;
  doneAt: number;
}
export interface DeadLetters {
  mails: DeadMail[];
  webhooks: DeadWebhook[];
  webhookLog: LoggedWebhook[];
}

// The site's webhook endpoints (GET webhooks): from the sites file (read-only here) or added in the
// console; `events` empty means every event. `editable` is false on a server that keeps no console
// endpoints (both stores keep them).
export interface WebhookEndpoint {
  url: string;
  events: string[];
  source: 'file' | 'console';
  secretHint: string;
  secrets: number;
}
export interface WebhookEndpoints {
  editable: boolean;
  eventTypes: string[];
  endpoints: WebhookEndpoint[];
}
// POST webhooks `add` and `rotate`: the new secret, given this once.
export interface WebhookSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export interface Accepted {
  opId: string;
  status: string;
}

export type ActionBody =
  | { id?: string; moderate: Record<string, unknown> }
  | { id?: string; undo: { moderationId: string; reason: string } }
  | { id?: string; policy: PolicyJson };

// crypto.getRandomValues works outside secure contexts too (randomUUID does not).
function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export class ConsoleApi {
  constructor(
    readonly site: string,
    private readonly credential: string,
  ) {}

  private url(path: string): string {
    return `/api/sites/${encodeURIComponent(this.site)}/${path}`;
  }

  private async send(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(this.url(path), {
      ...init,
      headers: { ...(init.headers ?? {}), Authorization: `Bearer ${this.credential}` },
      cache: 'no-store',
    });
    if (response.ok) return response;
    let code = 'http_' + response.status;
    let message = response.statusText;
    let field = '';
    try {
      const body = await response.json();
      code = body.error ?? code;
      message = body.message ?? message;
      field = body.field ?? '';
    } catch {
      /* not JSON: keep the status */
    }
    throw new ApiError(response.status, code, message, field);
  }

  async get<T>(path: string): Promise<T> {
    return (await this.send(path)).json() as Promise<T>;
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    const response = await this.send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.json() as Promise<T>;
  }

  async download(path: string): Promise<Blob> {
    return (await this.send(path)).blob();
  }

  // Each action carries its own op id, so a retry after a lost answer is recognised as already applied.
  async act(body: ActionBody): Promise<Accepted> {
    const withId = { id: `console-${randomHex(16)}`, ...body };
    const response = await this.send('actions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(withId),
    });
    return response.json() as Promise<Accepted>;
  }
}
