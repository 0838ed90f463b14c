// Internal: the site's entries by index, remembering which were open to change since the last take,
// so a checkpoint writes only those. Any non-const access marks its entry: a read through a mutable
// state marks too, which costs a part written again, while no change can slip past unmarked.
// Iteration is const only, so a loop cannot change entries unmarked.
//
// Entries live in chunks of 4,096: growing past a million posts moves at most one chunk (a vector's
// doubling moved them all on the io thread and briefly held both copies).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

namespace kring {

template <typename T>
class Tracked {
  static constexpr std::size_t kChunkShift = 12;
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkShift;

 public:
  using value_type = T;

  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;
    const_iterator() = default;
    const_iterator(const Tracked* owner, std::size_t index) : owner_(owner), index_(index) {}
    const T& operator*() const { return (*owner_)[index_]; }
    const T* operator->() const { return &(*owner_)[index_]; }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const const_iterator& other) const { return index_ == other.index_; }
    bool operator!=(const const_iterator& other) const { return index_ != other.index_; }

   private:
    const Tracked* owner_ = nullptr;
    std::size_t index_ = 0;
  };

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t index) const { return chunks_[index >> kChunkShift][index & (kChunk - 1)]; }
  T& operator[](std::size_t index) {
    mark(index);
    return chunks_[index >> kChunkShift][index & (kChunk - 1)];
  }
  const T& back() const { return (*this)[size_ - 1]; }
  T& back() { return (*this)[size_ - 1]; }
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size_); }

  void reserve(std::size_t count) {
    chunks_.reserve((count + kChunk - 1) >> kChunkShift);
    changed_.reserve(count);
  }
  void push_back(T item) {
    // A chunk grows as a vector does, up to kChunk entries: a small replica stays small, and a
    // growing site moves at most one chunk's entries at a time.
    if ((size_ & (kChunk - 1)) == 0) chunks_.emplace_back();
    chunks_.back().push_back(std::move(item));
    changed_.push_back(1);
    ++size_;
  }

  // The entries marked since the last take, ascending; they are unmarked. A scan of one byte per
  // entry: a millisecond at a million posts, once per checkpoint.
  std::vector<std::uint32_t> takeChanged() {
    std::vector<std::uint32_t> taken;
    for (std::size_t index = 0; index < changed_.size(); ++index) {
      if (changed_[index] == 0) continue;
      changed_[index] = 0;
      taken.push_back(static_cast<std::uint32_t>(index));
    }
    return taken;
  }
  void unmarkAll() { std::fill(changed_.begin(), changed_.end(), std::uint8_t{0}); }

 private:
  void mark(std::size_t index) { changed_[index] = 1; }

  std::vector<std::vector<T>> chunks_;  // each full at kChunk entries, but the last
  std::size_t size_ = 0;
  std::vector<std::uint8_t> changed_;  // by index: 1 when marked since the last take
};

}  // namespace kring
