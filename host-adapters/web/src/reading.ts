// What the visitor reads, for the trust levels (docs/community-rules.md): the thread entered, the
// posts at least half on screen, and the seconds the page is visible with the widget on screen.
// Hidden tabs and a widget scrolled away count no time.

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
  #since?: number;  // when the current visible stretch began

  constructor(host: HTMLElement) {
    this.#posts = new IntersectionObserver((entries) => {
      if (!this.#reading()) return;
      for (const entry of entries) {
        const id = (entry.target as HTMLElement).dataset.postId;
        // A post taller than half the viewport counts once it fills half of it.
        const half = entry.intersectionRatio >= 0.5 ||
          (entry.rootBounds !== null && entry.intersectionRect.height >= entry.rootBounds.height / 2);
        if (id && half && !this.#seen.has(id)) {
          this.#seen.add(id);
          this.#unsentPosts += 1;
        }
      }
    }, { threshold: [0, 0.5, 1] });
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
