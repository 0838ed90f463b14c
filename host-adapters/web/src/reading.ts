// What the visitor reads, for the trust levels (docs/community-rules.md): the thread entered, the
// posts at least half on screen, and the seconds the page is visible with the widget on screen.
// Hidden tabs and a widget scrolled away count no time. ReadingBatches sends it as reading ops.
import type { KringEngine } from '../../../wasm/kring-core-client.mjs';

export interface ReadingBatch {
  postsSeen: number;
  seconds: number;
}

export class ReadingTracker {
  readonly #seen = new Set<string>();
  readonly #watched = new Set<Element>();
  readonly #posts: IntersectionObserver;
  readonly #widget: IntersectionObserver;
  #unsentPosts = 0;
  #countedMs = 0;
  #onScreen = false;
  #since?: number; // when the current visible stretch began

  constructor(host: HTMLElement) {
    this.#posts = new IntersectionObserver(
      (entries) => {
        if (!this.#reading()) return;
        for (const entry of entries) {
          const id = (entry.target as HTMLElement).dataset.postId;
          // A post taller than half the viewport counts once it fills half of it.
          const half =
            entry.intersectionRatio >= 0.5 ||
            (entry.rootBounds !== null && entry.intersectionRect.height >= entry.rootBounds.height / 2);
          if (id && half && !this.#seen.has(id)) {
            this.#seen.add(id);
            this.#unsentPosts += 1;
          }
        }
      },
      { threshold: [0, 0.5, 1] },
    );
    this.#widget = new IntersectionObserver((entries) => {
      this.#onScreen = entries[entries.length - 1].isIntersecting;
      this.update();
    });
    this.#widget.observe(host);
  }

  // Called after each render: posts not yet watched are watched.
  watch(articles: Iterable<Element>) {
    for (const article of this.#watched) {
      if (article.isConnected) continue;
      this.#posts.unobserve(article);
      this.#watched.delete(article);
    }
    for (const article of articles) {
      if (this.#watched.has(article)) continue;
      this.#watched.add(article);
      this.#posts.observe(article);
    }
  }

  // The page's visibility changed (visibilitychange): time stops or starts.
  update() {
    const reading = this.#reading();
    if (reading && this.#since === undefined) {
      this.#since = performance.now();
      // Posts that came on screen while no one could read them are looked at again.
      for (const article of this.#watched) {
        this.#posts.unobserve(article);
        this.#posts.observe(article);
      }
    }
    if (!reading && this.#since !== undefined) {
      this.#countedMs += performance.now() - this.#since;
      this.#since = undefined;
    }
  }

  // What was read since the last take; whole seconds only, the rest carries over.
  take(): ReadingBatch {
    if (this.#since !== undefined) {
      const now = performance.now();
      this.#countedMs += now - this.#since;
      this.#since = now;
    }
    const seconds = Math.floor(this.#countedMs / 1000);
    this.#countedMs -= seconds * 1000;
    const batch = { postsSeen: this.#unsentPosts, seconds };
    this.#unsentPosts = 0;
    return batch;
  }

  stop() {
    this.#posts.disconnect();
    this.#widget.disconnect();
  }

  #reading() {
    return this.#onScreen && document.visibilityState === 'visible';
  }
}

const BATCH_MS = 60_000; // reading ops go out this often, and when the page is hidden

interface SentBatch {
  bytes: Uint8Array;
  detail: Record<string, unknown>;
}

// The reading ops of one page view of one thread: a batch every BATCH_MS, when the page is hidden
// and when the widget goes; each kept until the server acknowledges or refuses it.
export class ReadingBatches {
  #tracker?: ReadingTracker;
  #timer?: ReturnType<typeof setInterval>;
  #entered = false; // this page view's entry into the thread was reported
  readonly #sent = new Map<string, SentBatch>();
  readonly #onVisibility = () => {
    this.#tracker?.update();
    if (document.visibilityState === 'hidden') this.#flush();
  };

  readonly #host: HTMLElement;
  readonly #flush: () => void;

  // `flush` sends a batch when the widget can (signed in, connected): it calls take().
  constructor(host: HTMLElement, flush: () => void) {
    this.#host = host;
    this.#flush = flush;
  }

  start() {
    if (this.#tracker) return;
    this.#tracker = new ReadingTracker(this.#host);
    document.addEventListener('visibilitychange', this.#onVisibility);
    this.#timer = setInterval(this.#flush, BATCH_MS);
  }

  stop() {
    this.#tracker?.stop();
    this.#tracker = undefined;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    clearInterval(this.#timer);
  }

  // Another thread: nothing sent or entered counts for it.
  forget() {
    this.#sent.clear();
    this.#entered = false;
  }

  watch(articles: Iterable<Element>) {
    this.#tracker?.watch(articles);
  }

  // The next batch's op, or null when there is nothing to report.
  take(replica: KringEngine, threadKey: string, nextOpId: () => string): Uint8Array | null {
    if (!this.#tracker) return null;
    const batch = this.#tracker.take();
    // A thread no one has posted in yet has nothing to read.
    if (replica.threadView(threadKey) === null) return null;
    const entering = !this.#entered;
    if (!entering && batch.postsSeen === 0 && batch.seconds === 0) return null;
    const detail = {
      threadKeys: entering ? [threadKey] : [],
      readThreadKeys: !entering && batch.postsSeen > 0 ? [threadKey] : [],
      postsSeen: batch.postsSeen,
      secondsReading: batch.seconds,
    };
    const id = nextOpId();
    const bytes = replica.makeOp({ kind: 'reading', ...detail, id, time: Date.now() });
    this.#entered = true;
    this.#sent.set(id, { bytes, detail });
    return bytes;
  }

  // Batches the server may not have, to send again after a reconnect.
  unacknowledged() {
    return [...this.#sent.values()].map((batch) => batch.bytes);
  }

  // The kring:read detail of a batch the server stored, or undefined when opId is not a batch.
  acknowledge(opId: string) {
    const batch = this.#sent.get(opId);
    if (!batch) return undefined;
    this.#sent.delete(opId);
    return { ...batch.detail, opId };
  }

  // A batch the server refused (rate limited, say) is dropped: not the visitor's to fix.
  refuse(opId: string) {
    return this.#sent.delete(opId);
  }
}
