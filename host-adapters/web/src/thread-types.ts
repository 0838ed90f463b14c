// The shapes of what the core's views, outcomes and received messages hold, as the widget reads them.
// tests/wasm/view_types.test.mjs holds each against what the wasm core returns, key for key.
import type { ProtocolError } from './kring-enums';

export interface Post {
  id: string;
  parentId: string;
  authorId: string;
  authorName: string;
  authorRole: string;
  authorReputation: number;
  authorTrustLevel: number;
  body: string;
  createdAt: number;
  editedAt: number;
  state: string;
  score: number;
  accepted: boolean;
  depth: number;
  replyCount: number;
  myVote: string;
  featured: boolean;
  erased: boolean;
  heldReason: string;
  unloadedReplies: number;
}
export interface ThreadView {
  key: string;
  kind: string;
  title: string;
  state: string;
  order: string;
  lastSequence: number;
  posts: Post[];
  unloadedTopLevel: number;
  unloadedVisible: number;
}
export interface Member {
  id: string;
  displayName: string;
  role: string;
  reputation: number;
  trustLevel: number;
}
export interface Outcome {
  opId: string;
  status: 'accepted' | 'held' | 'rejected';
  code: string;
  message: string;
  events: string[];
}
// What receive() says of each ServerMessage (kring_receive in kring.h); a pong's nonce is a BigInt.
export type ServerMessage =
  | {
      type: 'welcome';
      member: Member & { state: string; stateUntil: number };
      guestCredential: string;
      tokenExpiresAt: number;
      readOnly: boolean;
      needsTicketToStart: boolean;
      preferencesUrl: string; // the member's signed mail preferences page; empty: nothing is mailed to them
    }
  | { type: 'snapshot_part'; threadKey: string; receivedBytes: number; totalBytes: number }
  | { type: 'snapshot'; threadKey: string; lastSequence: number; continues: boolean }
  | {
      type: 'events';
      threadKey: string;
      fromSequence: number;
      lastSequence: number;
      opIds: string[];
      rendered?: { postId: string; editedAt: number; html: string }[];
    }
  | { type: 'rejected'; opId: string; code: string; message: string }
  | { type: 'error'; code: ProtocolError; message: string }
  | { type: 'pong'; nonce: bigint }
  | { type: 'invalid'; message: string };
export interface TreeNode {
  post: Post;
  children: TreeNode[];
}
export type Op = Record<string, unknown> & { kind: string };
