// Markdown source → safe HTML. snarkdown renders (about 1 KB: marked alone would take a tenth of the
// widget's 150 KB budget); HTML typed by a member is escaped first so it shows as text; DOMPurify
// then keeps a small allow-list before anything touches the DOM. Links: http(s) and mailto only.
import snarkdown from 'snarkdown';
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
  node.setAttribute('rel', 'nofollow ugc noopener');
  node.setAttribute('target', '_blank');
});

const cache = new Map<string, string>();

export function renderMarkdown(source: string): string {
  const known = cache.get(source);
  if (known !== undefined) return known;
  // `>` stays: it starts a quote. Headings of user text start at h3: the page owns h1 and h2.
  const escaped = source
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/^#{1,2}(?=\s)/gm, '###');
  const safe = purify.sanitize(snarkdown(escaped), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'rel', 'target'],
    ALLOW_DATA_ATTR: false,
  });
  if (cache.size > 500) cache.clear();
  cache.set(source, safe);
  return safe;
}
