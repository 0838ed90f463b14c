#include "render/thread_page.h"

#include <boost/json.hpp>

#include <algorithm>
#include <vector>

#include "kring/markdown.h"
#include "kring/metrics.h"
#include "kring/names.h"
#include "render/html_text.h"
#include "util/entity_tag.h"
#include "util/utf8_text.h"

namespace kring::server {

namespace json = boost::json;

namespace {

// A post of the first page and the replies under it that anyone may read (or that lead to one).
struct PageNode {
  const PostView* post = nullptr;
  std::string html;  // its body rendered, when readable
  std::vector<PageNode> replies;
  bool readable() const { return !post->body.empty() && post->state == PostState::visible; }
};

PageNode nodeOf(const PostView& post) {
  PageNode node{&post, {}, {}};
  if (node.readable()) node.html = renderMarkdown(post.body);
  return node;
}

// The first page's top-level posts, and how many the whole thread has.
struct FirstPage {
  std::vector<PageNode> roots;
  std::size_t topLevel = 0;
};

// Keeps a node when it or a reply under it may be read.
bool prune(PageNode& node) {
  node.replies.erase(
      std::remove_if(node.replies.begin(), node.replies.end(), [](PageNode& reply) { return !prune(reply); }),
      node.replies.end());
  return node.readable() || !node.replies.empty();
}

// The view's posts (display order, depth-first) as a tree; the first page's top-level posts only.
FirstPage firstPage(const ThreadView& view) {
  FirstPage page;
  std::vector<std::vector<PageNode>*> levels;  // the reply list at each depth along the current path
  bool inPage = true;
  for (const PostView& post : view.posts) {
    if (post.depth == 0) {
      inPage = page.topLevel++ < kFirstPagePosts;
      if (!inPage) continue;
      page.roots.push_back(nodeOf(post));
      levels.assign(1, &page.roots.back().replies);
      continue;
    }
    if (!inPage || post.depth > levels.size()) continue;
    levels.resize(post.depth);
    std::vector<PageNode>& siblings = *levels.back();
    siblings.push_back(nodeOf(post));
    levels.push_back(&siblings.back().replies);
  }
  std::erase_if(page.roots, [](PageNode& root) { return !prune(root); });
  return page;
}

// The post's words as a crawler reads them: its rendered HTML without tags, the entities the
// renderer writes decoded, surrounding space trimmed.
std::string plainText(const PageNode& node) {
  const std::string& html = node.html;
  std::string text;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '<') {
      i = html.find('>', i);
      if (i == std::string::npos) break;
      continue;
    }
    if (html[i] == '&') {
      for (auto [entity, character] :
           {std::pair{"&amp;", "&"}, std::pair{"&lt;", "<"}, std::pair{"&gt;", ">"}, std::pair{"&nbsp;", "\u00a0"}}) {
        if (html.compare(i, std::string_view(entity).size(), entity) == 0) {
          text += character;
          i += std::string_view(entity).size() - 1;
          break;
        }
      }
      continue;
    }
    text += html[i];
  }
  std::size_t first = text.find_first_not_of(" \n");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \n") - first + 1);
}

std::string authorName(const PostView& post) { return post.authorName.empty() ? post.authorId : post.authorName; }

std::string anchorOf(const PostView& post) { return "kring-post-" + post.id; }

// --- JSON-LD ---

json::object person(const PostView& post) { return json::object{{"@type", "Person"}, {"name", authorName(post)}}; }

json::object answerOf(const PageNode& node) {
  const PostView& post = *node.post;
  return json::object{{"@type", "Answer"},
                      {"text", plainText(node)},
                      {"dateCreated", isoTime(post.createdAt)},
                      {"upvoteCount", std::max(post.score, 0)},
                      {"url", "#" + anchorOf(post)},
                      {"author", person(post)}};
}

// The question's first line, as a title: schema.org's `name` (160 bytes at most, whole characters).
std::string questionName(const std::string& text) {
  return truncateUtf8(std::string_view(text).substr(0, text.find('\n')), 160);
}

json::object qaPage(const PageNode& question) {
  const PostView& post = *question.post;
  json::array suggested;
  json::value accepted;
  std::size_t answers = 0;
  for (const PageNode& reply : question.replies) {
    if (!reply.readable()) continue;
    ++answers;
    if (reply.post->accepted && accepted.is_null()) {
      accepted = answerOf(reply);
    } else {
      suggested.push_back(answerOf(reply));
    }
  }
  const std::string text = plainText(question);
  json::object entity{{"@type", "Question"},
                      {"name", questionName(text)},
                      {"text", text},
                      {"answerCount", answers},
                      {"upvoteCount", std::max(post.score, 0)},
                      {"dateCreated", isoTime(post.createdAt)},
                      {"author", person(post)}};
  if (!accepted.is_null()) entity["acceptedAnswer"] = std::move(accepted);
  if (!suggested.empty()) entity["suggestedAnswer"] = std::move(suggested);
  return json::object{{"@context", "https://schema.org"}, {"@type", "QAPage"}, {"mainEntity", std::move(entity)}};
}

json::array commentsOf(const std::vector<PageNode>& nodes) {
  json::array comments;
  for (const PageNode& node : nodes) {
    json::object comment;
    if (node.readable()) {
      const PostView& post = *node.post;
      comment = json::object{{"@type", "Comment"},
                             {"text", plainText(node)},
                             {"datePublished", isoTime(post.createdAt)},
                             {"upvoteCount", std::max(post.score, 0)},
                             {"url", "#" + anchorOf(post)},
                             {"author", person(post)}};
    }
    json::array replies = commentsOf(node.replies);
    if (comment.empty()) {
      for (json::value& reply : replies) comments.push_back(std::move(reply));  // under a tombstone
      continue;
    }
    if (!replies.empty()) comment["comment"] = std::move(replies);
    comments.push_back(std::move(comment));
  }
  return comments;
}

// The discussion's opening post is the posting; everything else is its comments.
json::object discussion(const ThreadView& view, const std::vector<PageNode>& roots, const PageNode& opening) {
  const PostView& post = *opening.post;
  const std::string text = plainText(opening);
  std::vector<PageNode> others = opening.replies;
  for (const PageNode& root : roots) {
    if (&root != &opening) others.push_back(root);
  }
  json::object posting{{"@context", "https://schema.org"},
                       {"@type", "DiscussionForumPosting"},
                       {"headline", view.title.empty() ? questionName(text) : view.title},
                       {"text", text},
                       {"datePublished", isoTime(post.createdAt)},
                       {"url", "#" + anchorOf(post)},
                       {"author", person(post)}};
  json::array comments = commentsOf(others);
  posting["commentCount"] = comments.size();
  if (!comments.empty()) posting["comment"] = std::move(comments);
  return posting;
}

// JSON inside <script>: no "</script>", no "<!--" and no entity can form from the text.
void appendScriptJson(std::string& out, const json::object& value) {
  for (char c : json::serialize(value)) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
}

// --- HTML ---

// The page's few words, in the site's language (the widget's strings.ts says the same).
struct PageWords {
  std::string_view accepted;
  std::string_view notShown;
  std::string_view score;          // before the number
  std::string_view moreQuestions;  // after the number of top-level posts past the first page
  std::string_view moreComments;
};

PageWords wordsFor(std::string_view language) {
  if (language == "nl") {
    return {"Geaccepteerd antwoord", "Dit bericht wordt niet getoond.", "Score", "vragen meer", "reacties meer"};
  }
  return {"Accepted answer", "This post is not shown.", "Score", "more questions", "more comments"};
}

// The post's article into `out` (its replies inside), and the article without its replies into `posts`.
void appendPost(std::string& out, std::vector<PagePost>& posts, const PageNode& node, const std::string& parentId,
                ThreadKind kind, const PageWords& words) {
  const PostView& post = *node.post;
  const char* role = kind == ThreadKind::question ? (post.depth == 0   ? "question"
                                                     : post.depth == 1 ? "answer"
                                                                       : "comment")
                                                  : "comment";
  std::string own = "<article class=\"kring-post kring-";
  own += role;
  if (post.accepted) own += " kring-accepted";
  own += "\" id=\"";
  appendEscaped(own, anchorOf(post));
  own += "\" data-post-id=\"";
  appendEscaped(own, post.id);
  own += "\">\n";
  if (node.readable()) {
    own += "<header class=\"kring-meta\"><span class=\"kring-author\" title=\"";
    appendEscaped(own, authorName(post));  // the whole name where a long one is cut short
    own += "\">";
    appendEscaped(own, authorName(post));
    own += "</span> <time datetime=\"" + isoTime(post.createdAt) + "\">" + utcDate(dayOf(post.createdAt)) + "</time>";
    own += " <span class=\"kring-score\">";
    own += words.score;
    own += " " + std::to_string(post.score) + "</span>";
    if (post.accepted) {
      own += " <span class=\"kring-badge-accepted\">";
      own += words.accepted;
      own += "</span>";
    }
    own += "</header>\n<div class=\"kring-body\">";
    own += node.html;
    own += "</div>\n";
  } else {
    own += "<p class=\"kring-tombstone\">";
    own += words.notShown;
    own += "</p>\n";
  }
  out += own;
  // A post with replies names their list, empty: a live reader keeps the replies it shows in it.
  posts.push_back(
      PagePost{post.id, parentId,
               own + (node.replies.empty() ? "" : "<div class=\"kring-replies\">\n</div>\n") + "</article>\n"});
  if (!node.replies.empty()) {
    out += "<div class=\"kring-replies\">\n";
    for (const PageNode& reply : node.replies) appendPost(out, posts, reply, post.id, kind, words);
    out += "</div>\n";
  }
  out += "</article>\n";
}

// Names the posts as shown (their HTML and where each hangs): a reader's copy and a live change agree on it.
std::string versionOf(const std::vector<PagePost>& posts) {
  std::string shown;
  for (const PagePost& post : posts) shown += post.parentId + '\n' + post.html;
  const std::string tag = entityTag(shown);
  return tag.substr(1, tag.size() - 2);
}

}  // namespace

SortOrder defaultSortOrder(ThreadKind kind) {
  return kind == ThreadKind::question ? SortOrder::top : SortOrder::oldest;
}

std::optional<ThreadPage> renderThreadPage(const Engine& engine, std::string_view threadKey,
                                           std::string_view language) {
  std::optional<ThreadKind> kind = engine.threadKind(threadKey);
  if (!kind) return std::nullopt;
  std::optional<ThreadView> view = engine.threadView(threadKey, defaultSortOrder(*kind));
  const auto [roots, topLevel] = firstPage(*view);

  ThreadPage page;
  std::string articles;
  const PageWords words = wordsFor(language);
  for (const PageNode& root : roots) appendPost(articles, page.parts.posts, root, {}, view->kind, words);
  page.parts.version = versionOf(page.parts.posts);
  std::string& out = page.fragment;
  out += "<section class=\"kring-thread\" lang=\"";
  out += language == "nl" ? "nl" : "en";
  out += "\" data-kring-thread=\"";
  appendEscaped(out, view->key);
  out += "\" data-kring-kind=\"";
  out += threadKindName(view->kind);
  out += "\" data-kring-version=\"" + page.parts.version + "\">\n";
  // The first readable top-level post: the question a QAPage describes, or (oldest first) a discussion's opening.
  auto first = std::find_if(roots.begin(), roots.end(), [](const PageNode& root) { return root.readable(); });
  if (first != roots.end()) {
    out += "<script type=\"application/ld+json\">";
    appendScriptJson(out, view->kind == ThreadKind::question ? qaPage(*first) : discussion(*view, roots, *first));
    out += "</script>\n";
  }
  // The title the host gave the thread (its ticket, the admin API), when it has one.
  if (!view->title.empty()) {
    out += "<p class=\"kring-title\">";
    appendEscaped(out, view->title);
    out += "</p>\n";
  }
  out += articles;
  if (topLevel > kFirstPagePosts) {
    // Said, so a reader (and a crawler) knows the page goes on: the widget pages through the rest.
    const std::string more = std::to_string(topLevel - kFirstPagePosts);
    out += "<p class=\"kring-more\" data-kring-more=\"" + more + "\">" + more + " ";
    out += view->kind == ThreadKind::question ? words.moreQuestions : words.moreComments;
    out += "</p>\n";
  }
  out += "</section>\n";
  return page;
}

std::optional<std::string> renderThreadFragment(const Engine& engine, std::string_view threadKey,
                                                std::string_view language) {
  std::optional<ThreadPage> page = renderThreadPage(engine, threadKey, language);
  if (!page) return std::nullopt;
  return std::move(page->fragment);
}

}  // namespace kring::server
