// What the templates are given at each render: the thread's data, the visitor's open boxes and
// drafts, and the widget's callbacks. The templates keep no state of their own.
import type { Translate } from '../strings';
import type { Member, Op, Post } from '../thread-types';

// The visitor's open boxes, drafts and choices: the element keeps them between renders.
export interface Ui {
  drafts: Map<string, string>;
  previewing: Set<string>;
  expanded: Set<string>;
  replyingTo?: string;
  editing?: string;
  flagging?: string;
  flagReason: string;
}

export interface Screen {
  t: Translate;
  question: boolean;
  thread: string;
  me?: Member;
  readOnly: boolean; // a guest on a site that takes no guest posts: no composer
  moderator: boolean;
  posts: Post[];
  pending(postId: string): object | undefined; // the op still on its way, if any
  heldReasons: Map<string, string>;
  ui: Ui;
  perform(op: Op): boolean;
  rerender(): void;
  loadReplies(postId: string): void; // the next page of a post's replies the replica does not hold
  focus(selector: string): void; // after the next frame, when the render stands
  bodyHtml(post: Post): string | undefined; // the server's HTML of its text (markdown.ts)
  previewHtml(markdown: string): string | undefined; // asks the server the first time
}
