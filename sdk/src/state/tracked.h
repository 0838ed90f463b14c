// Internal: the site's entries by index, remembering which were open to change since the last take,
// so a checkpoint writes only those. Any non-const access marks its entry: a read through a mutable
// state marks too, which costs a part written again, while no change can slip past unmarked.
// Iteration is const only, so a loop cannot change entries unmarked.
//
// Entries live in fixed chunks and never move: growing past a million posts copies nothing (a
// vector's doubling moved them all on the io thread and briefly held both copies).
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
    if ((size_ & (kChunk - 1)) == 0) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);  // filled in place: its entries never move
    }
    chunks_.back().push_back(std::move(item));
    changed_.push_back(0);
    mark(size_++);
  }

  // The entries marked since the last take, ascending; they are unmarked.
  std::vector<std::uint32_t> takeChanged() {
    std::vector<std::uint32_t> taken;
    taken.swap(changedList_);
    std::sort(taken.begin(), taken.end());
    for (std::uint32_t index : taken) changed_[index] = 0;
    return taken;
  }
  void unmarkAll() { takeChanged(); }

 private:
  void mark(std::size_t index) {
    if (changed_[index] != 0) return;
    changed_[index] = 1;
    changedList_.push_back(static_cast<std::uint32_t>(index));
  }

  std::vector<std::vector<T>> chunks_;  // each of kChunk capacity
  std::size_t size_ = 0;
  std::vector<std::uint8_t> changed_;  // by index: whether it is in changedList_
  std::vector<std::uint32_t> changedList_;
};

}  // namespace kring
