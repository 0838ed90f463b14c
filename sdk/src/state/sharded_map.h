// Internal: a hash map split into shards, so growing it rehashes one shard, never the whole table:
// at a million posts a whole-table rehash paused the io thread for hundreds of milliseconds.
// Lookups only; nothing iterates it (an order would differ between standard libraries).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

namespace kring {

template <typename Key, typename Value>
class ShardedMap {
#ifdef __EMSCRIPTEN__
  static constexpr std::size_t kShards = 1;  // a browser's replica holds a few threads: code size counts
#else
  static constexpr std::size_t kShards = 64;
#endif

 public:
  const Value* find(const Key& key) const {
    const auto& shard = shardOf(key);
    auto it = shard.find(key);
    return it == shard.end() ? nullptr : &it->second;
  }
  Value* find(const Key& key) {
    auto& shard = shardOf(key);
    auto it = shard.find(key);
    return it == shard.end() ? nullptr : &it->second;
  }
  bool contains(const Key& key) const { return find(key) != nullptr; }
  // Adds the entry unless the key is there already; true when it was added.
  bool emplace(const Key& key, Value value) { return shardOf(key).emplace(key, std::move(value)).second; }
  Value& operator[](const Key& key) { return shardOf(key)[key]; }
  void reserve(std::size_t entries) {
    for (auto& shard : shards_) shard.reserve(entries / kShards + 1);
  }

 private:
  // The high bits pick the shard: the shard's own table indexes by the hash modulo its size.
  static std::size_t shardIndex(const Key& key) {
    std::uint64_t hash = std::hash<Key>{}(key);  // 32 bits in wasm: the shifts see zeros, not UB
    return static_cast<std::size_t>((hash ^ (hash >> 29) ^ (hash >> 47)) % kShards);
  }
  const std::unordered_map<Key, Value>& shardOf(const Key& key) const { return shards_[shardIndex(key)]; }
  std::unordered_map<Key, Value>& shardOf(const Key& key) { return shards_[shardIndex(key)]; }

  std::array<std::unordered_map<Key, Value>, kShards> shards_;
};

}  // namespace kring
