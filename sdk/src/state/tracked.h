// Internal: a vector that remembers which entries were open to change since the last take, so a
// checkpoint writes only those. Any non-const access marks its entry: a read through a mutable
// state marks too, which costs a part written again, while no change can slip past unmarked.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace kring {

template <typename T>
class Tracked {
 public:
  using value_type = T;

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const T& operator[](std::size_t index) const { return items_[index]; }
  T& operator[](std::size_t index) {
    mark(index);
    return items_[index];
  }
  const T& back() const { return items_.back(); }
  T& back() { return (*this)[items_.size() - 1]; }
  typename std::vector<T>::const_iterator begin() const { return items_.cbegin(); }
  typename std::vector<T>::const_iterator end() const { return items_.cend(); }
  // Iterating a mutable state may change any entry.
  typename std::vector<T>::iterator begin() {
    markAll();
    return items_.begin();
  }
  typename std::vector<T>::iterator end() { return items_.end(); }
  const std::vector<T>& all() const { return items_; }

  void reserve(std::size_t count) {
    items_.reserve(count);
    changed_.reserve(count);
  }
  void push_back(T item) {
    items_.push_back(std::move(item));
    changed_.push_back(0);
    mark(items_.size() - 1);
  }

  // The entries marked since the last take, ascending; they are unmarked.
  std::vector<std::uint32_t> takeChanged() {
    std::vector<std::uint32_t> taken;
    taken.swap(changedList_);
    std::sort(taken.begin(), taken.end());
    for (std::uint32_t index : taken) changed_[index] = 0;
    return taken;
  }
  std::size_t changedCount() const { return changedList_.size(); }
  void markAll() {
    for (std::size_t index = 0; index < items_.size(); ++index) mark(index);
  }
  void unmarkAll() { takeChanged(); }

 private:
  void mark(std::size_t index) {
    if (changed_[index] != 0) return;
    changed_[index] = 1;
    changedList_.push_back(static_cast<std::uint32_t>(index));
  }

  std::vector<T> items_;
  std::vector<std::uint8_t> changed_;  // by index: whether it is in changedList_
  std::vector<std::uint32_t> changedList_;
};

}  // namespace kring
