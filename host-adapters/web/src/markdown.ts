// Markdown source → safe HTML: marked renders, raw HTML in the source stays text, and DOMPurify
// keeps a small allow-list before anything touches the DOM. Links: http(s) and mailto only.
import { Marked } from 'marked';
import DOMPurify from 'dompurify';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // HTML typed by a member is shown as text, never parsed.
    html: ({ text }) => escapeHtml(text),
  },
});

const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr',
  'h3', 'h4', 'h5', 'h6'];
const SAFE_LINK = /^(https?:|mailto:)/i;

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName !== 'A') return;
  const href = node.getAttribute('href') ?? '';
  if (!SAFE_LINK.test(href.trim())) node.removeAttribute('href');
  node.setAttribute('rel', 'nofollow ugc noopener');
  node.setAttribute('target', '_blank');
});

const cache = new Map<string, string>();

export function renderMarkdown(source: string): string {
  const known = cache.get(source);
  if (known !== undefined) return known;
  // Headings of user text start at h3: the page owns h1 and h2.
  const html = marked.parse(source.replace(/^(#{1,2})(?=\s)/gm, '###'), { async: false }) as string;
  const safe = purify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR: ['href', 'rel', 'target'], ALLOW_DATA_ATTR: false });
  if (cache.size > 500) cache.clear();
  cache.set(source, safe);
  return safe;
}
