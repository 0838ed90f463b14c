// The thread's posts as a tree, as shown: what no one may read is left out, and in Q&A the
// accepted answer comes first.
import type { Post, TreeNode } from './thread-types';

export function threadTree(posts: Post[], question: boolean, moderator: boolean, viewerId?: string): TreeNode[] {
  const nodes = new Map<string, TreeNode>();
  const roots: TreeNode[] = [];
  for (const post of posts) {
    const node = { post, children: [] };
    nodes.set(post.id, node);
    const parent = post.parentId ? nodes.get(post.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const prune = (list: TreeNode[]): TreeNode[] => {
    const kept = list
      .map((n) => ({ post: n.post, children: prune(n.children) }))
      .filter((n) => isShown(n, moderator, viewerId));
    // Q&A: the accepted answer comes first, whatever the order.
    if (question) kept.sort((a, b) => Number(b.post.accepted) - Number(a.post.accepted));
    return kept;
  };
  return prune(roots);
}

// A post with no readable text and no replies (held for someone else, removed) is not shown at all.
function isShown(node: TreeNode, moderator: boolean, viewerId?: string) {
  const post = node.post;
  if (post.body || node.children.length || moderator) return true;
  return post.authorId === viewerId && post.state !== 'removed' && post.state !== 'spam';
}
