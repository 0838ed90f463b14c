// The shapes of what the core's views and outcomes hold, as the widget reads them.
export interface Post {
  id: string; parentId: string; authorId: string; authorName: string; authorRole: string;
  authorReputation: number; authorTrustLevel: number; body: string; createdAt: number; editedAt: number;
  state: string; score: number; accepted: boolean; depth: number; replyCount: number; myVote: string;
  featured: boolean; erased: boolean; heldReason: string;
}
export interface ThreadView { key: string; kind: string; title: string; state: string; posts: Post[] }
export interface Member { id: string; displayName: string; role: string; reputation: number; trustLevel: number }
export interface TreeNode { post: Post; children: TreeNode[] }
export type Op = Record<string, unknown> & { kind: string };
