#include "render/page_changes.h"

#include <boost/json.hpp>

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace kring::server {

namespace json = boost::json;

namespace {

using Siblings = std::unordered_map<std::string, std::vector<std::string>>;  // parent id -> children in order

Siblings siblingsOf(const PageParts& parts) {
  Siblings siblings;
  for (const PagePost& post : parts.posts) siblings[post.parentId].push_back(post.id);
  return siblings;
}

// The children of `parent` that both renderings hold under it, in `order`.
std::vector<std::string> kept(const std::vector<std::string>& order, const std::string& parent,
                              const std::unordered_map<std::string, const PagePost*>& other) {
  std::vector<std::string> ids;
  for (const std::string& id : order) {
    auto it = other.find(id);
    if (it != other.end() && it->second->parentId == parent) ids.push_back(id);
  }
  return ids;
}

}  // namespace

std::string pageChanges(const PageParts& before, const PageParts& after) {
  if (before.version == after.version) return {};
  std::unordered_map<std::string, const PagePost*> was;
  std::unordered_map<std::string, const PagePost*> is;
  for (const PagePost& post : before.posts) was.emplace(post.id, &post);
  for (const PagePost& post : after.posts) is.emplace(post.id, &post);

  json::array drop;
  for (const PagePost& post : before.posts) {
    if (!is.contains(post.id)) drop.emplace_back(post.id);
  }
  const Siblings oldOrder = siblingsOf(before);
  const Siblings newOrder = siblingsOf(after);
  // Parents whose kept children changed order: all their children are put again, in the new order.
  std::unordered_set<std::string> reordered;
  for (const auto& [parent, children] : newOrder) {
    auto old = oldOrder.find(parent);
    if (old != oldOrder.end() && kept(old->second, parent, is) != kept(children, parent, was)) reordered.insert(parent);
  }
  json::array put;
  std::unordered_map<std::string, std::string> previous;  // parent id -> the child placed last
  for (const PagePost& post : after.posts) {
    std::string& follows = previous[post.parentId];
    auto old = was.find(post.id);
    const bool same = old != was.end() && old->second->parentId == post.parentId && old->second->html == post.html &&
                      !reordered.contains(post.parentId);
    if (!same) {
      put.push_back(json::object{{"id", post.id}, {"parent", post.parentId}, {"after", follows}, {"html", post.html}});
    }
    follows = post.id;
  }
  return json::serialize(json::object{
      {"from", before.version}, {"to", after.version}, {"put", std::move(put)}, {"drop", std::move(drop)}});
}

}  // namespace kring::server
