// Internal: a naive Bayes spam classifier in fixed point, learning online from moderator decisions.
// No floating point: every platform computes the same score to the last bit.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kring {

// log2(x) for x >= 1 in Q16 fixed point (log2Q16(2) == 65536); 0 for x == 0. Integer-only, exact
// to the last of its 16 fraction bits (truncated).
std::int64_t log2Q16(std::uint64_t x);

struct TokenCounts {
  std::uint32_t spam = 0;
  std::uint32_t ham = 0;
};

class BayesModel {
 public:
  std::uint32_t spamDecisions = 0;  // messages learned as spam
  std::uint32_t hamDecisions = 0;

  // Learns (weight 1) or unlearns (weight -1, for undo) one message's tokens. Counts never go
  // below zero; a token back at 0/0 is forgotten.
  void train(std::span<const std::string> tokens, bool spam, int weight = 1);
  // Restores a token's counts from a snapshot.
  void restoreToken(std::string token, TokenCounts counts);

  // log2(P(tokens | spam) / P(tokens | ham)) in Q16: the 20 strongest of the known tokens'
  // log-likelihood ratios, with add-1/8 smoothing over the vocabulary; no prior (the decisions are
  // not a sample of the site's posts). Unknown tokens are skipped.
  std::int64_t logOddsQ16(std::span<const std::string> tokens) const;

  std::size_t vocabulary() const { return tokens_.size(); }
  // How many times train() ran: a checkpoint writes the model again only when this moved.
  std::uint64_t trainings() const { return trainings_; }
  std::vector<std::pair<std::string, TokenCounts>> sortedTokens() const;

 private:
  std::unordered_map<std::string, TokenCounts> tokens_;
  std::uint64_t spamTokenTotal_ = 0;  // token occurrences learned as spam
  std::uint64_t hamTokenTotal_ = 0;
  std::uint64_t trainings_ = 0;
};

}  // namespace kring
