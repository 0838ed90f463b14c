// <kring-thread>'s attributes and what a change to each does: the loader observes exactly these and
// the widget reads only these (docs/widget.md "Attributes").
export const ATTRIBUTES = {
  site: 'reconnect',
  thread: 'reconnect',
  server: 'reconnect',
  token: 'reconnect',
  kind: 'render',
  lang: 'render',
  theme: 'render', // the styles follow :host([theme]) by themselves
  ticket: 'render', // read when a post creates the thread
  'thread-title': 'render', // likewise
  load: 'render', // the loader's alone: "interactive" skips reader-first
} as const;

export type AttributeName = keyof typeof ATTRIBUTES;
export type AttributeChange = (typeof ATTRIBUTES)[AttributeName];

export const readAttribute = (host: Element, name: AttributeName) => host.getAttribute(name);
