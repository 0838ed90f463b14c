// Post bodies as kring-server rendered them (docs/markdown.md): it sends the HTML of every body it
// sends (with the events, and after a snapshot) and of a preview the composer asks for.
// DOMPurify keeps the server's allow-list before anything touches the DOM, a second wall; the bytes
// it keeps are the server's. A body whose HTML has not come (the visitor's own post on its way)
// shows its text as written.
import DOMPurify from 'dompurify';

const ALLOWED_TAGS = [
  'br',
  'strong',
  'em',
  's',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'hr',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
];
const SAFE_LINK = /^(https?:|mailto:)/i;

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName !== 'A') return;
  const href = node.getAttribute('href') ?? '';
  if (!SAFE_LINK.test(href.trim())) node.removeAttribute('href');
  node.setAttribute('rel', 'ugc nofollow noopener');
  node.setAttribute('target', '_blank');
});

const sanitize = (html: string) =>
  purify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: ['href', 'rel', 'target', 'start'], ALLOW_DATA_ATTR: false });

const MAX_PREVIEWS = 100;

export class RenderedBodies {
  readonly #posts = new Map<string, { editedAt: number; html: string }>();
  readonly #bySource = new Map<string, string>(); // previews, by their Markdown
  readonly #asked = new Map<string, string>(); // request id → Markdown
  #requests = 0;

  // An events message's rendered bodies: a thread's posts, or the answer to a preview.
  add(bodies: { postId: string; editedAt: number; html: string }[]) {
    for (const { postId, editedAt, html } of bodies) {
      const source = this.#asked.get(postId);
      if (source === undefined) {
        this.#posts.set(postId, { editedAt, html: sanitize(html) });
        continue;
      }
      this.#asked.delete(postId);
      if (this.#bySource.size >= MAX_PREVIEWS) this.#bySource.clear();
      this.#bySource.set(source, sanitize(html));
    }
  }

  // The post's HTML for the text it has now; a prediction whose text was previewed has that.
  forPost(postId: string, editedAt: number, body: string): string | undefined {
    const known = this.#posts.get(postId);
    return known && known.editedAt === editedAt ? known.html : this.#bySource.get(body);
  }

  // The preview of `markdown`, once the server answered; `ask` sends the request (false: not now).
  preview(markdown: string, ask: (requestId: string, markdown: string) => boolean): string | undefined {
    const known = this.#bySource.get(markdown);
    if (known !== undefined || [...this.#asked.values()].includes(markdown)) return known;
    const requestId = `preview-${++this.#requests}`;
    if (ask(requestId, markdown)) this.#asked.set(requestId, markdown);
    return undefined;
  }

  clear() {
    this.#posts.clear();
  }
}
