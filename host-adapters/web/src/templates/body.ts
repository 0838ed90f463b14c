// A post's or a preview's body: the server's HTML of the text (markdown.ts), or the text as written
// until it comes.
import { html } from 'lit/html.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';

export const bodyOf = (rendered: string | undefined, text: string) =>
  rendered === undefined ? html`<p class="plain">${text}</p>` : unsafeHTML(rendered);
