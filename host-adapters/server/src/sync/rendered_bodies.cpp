#include "sync/rendered_bodies.h"

#include "kring/markdown.h"

namespace kring::server {

namespace {
void addRendered(std::vector<RenderedBody>& bodies, const std::string& postId, TimeMs editedAt,
                 const std::string& body) {
  if (!body.empty()) bodies.push_back(RenderedBody{postId, editedAt, renderMarkdown(body)});
}
}  // namespace

std::vector<RenderedBody> renderedBodies(const std::vector<Event>& events) {
  std::vector<RenderedBody> bodies;
  for (const Event& event : events) {
    if (const auto* created = std::get_if<PostCreated>(&event.body)) {
      addRendered(bodies, created->post.id, created->post.editedAt, created->post.body);
    } else if (const auto* changed = std::get_if<PostChanged>(&event.body)) {
      addRendered(bodies, changed->post.id, changed->post.editedAt, changed->post.body);
    } else if (const auto* edited = std::get_if<PostEdited>(&event.body)) {
      addRendered(bodies, edited->postId, event.time, edited->body);  // a replica takes the event's time as editedAt
    }
  }
  return bodies;
}

std::vector<RenderedBody> renderedBodies(const std::vector<PostRecord>& posts) {
  std::vector<RenderedBody> bodies;
  for (const PostRecord& post : posts) addRendered(bodies, post.id, post.editedAt, post.body);
  return bodies;
}

}  // namespace kring::server
