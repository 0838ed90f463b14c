#include "text/naive_bayes.h"

#include <algorithm>
#include <bit>

namespace kring {

namespace {
constexpr std::size_t kEvidenceTokens = 20;
// Add-1/kSmoothingDivisor smoothing: a word seen a few times in one class and never in the other is
// strong evidence, where add-one made it weak. On the SpamAssassin corpus add-1/8 held fewer honest
// posts than add-one, 1/4 or 1/16 (docs/spam-evaluation.md).
constexpr std::uint64_t kSmoothingDivisor = 8;
}  // namespace

std::int64_t log2Q16(std::uint64_t x) {
  if (x == 0) return 0;
  int integer = 63 - std::countl_zero(x);
  // The mantissa x / 2^integer in [1, 2) as Q30; squaring it doubles its logarithm, and each
  // time it reaches 2 a fraction bit is 1.
  std::uint64_t mantissa = integer >= 30 ? x >> (integer - 30) : x << (30 - integer);
  std::int64_t result = static_cast<std::int64_t>(integer) << 16;
  for (int bit = 15; bit >= 0; --bit) {
    mantissa = (mantissa * mantissa) >> 30;
    if (mantissa >= (std::uint64_t{2} << 30)) {
      mantissa >>= 1;
      result |= std::int64_t{1} << bit;
    }
  }
  return result;
}

void BayesModel::train(std::span<const std::string> tokens, bool spam, int weight) {
  ++trainings_;
  std::uint32_t& decisions = spam ? spamDecisions : hamDecisions;
  if (weight > 0) {
    decisions += 1;
  } else if (decisions > 0) {
    decisions -= 1;
  }
  std::uint64_t& total = spam ? spamTokenTotal_ : hamTokenTotal_;
  for (const std::string& token : tokens) {
    if (weight > 0) {
      TokenCounts& counts = tokens_[token];
      (spam ? counts.spam : counts.ham) += 1;
      total += 1;
      continue;
    }
    auto it = tokens_.find(token);
    if (it == tokens_.end()) continue;
    std::uint32_t& count = spam ? it->second.spam : it->second.ham;
    if (count == 0) continue;
    count -= 1;
    total -= 1;
    if (it->second.spam == 0 && it->second.ham == 0) tokens_.erase(it);
  }
}

void BayesModel::restoreToken(std::string token, TokenCounts counts) {
  spamTokenTotal_ += counts.spam;
  hamTokenTotal_ += counts.ham;
  tokens_[std::move(token)] = counts;
}

std::int64_t BayesModel::logOddsQ16(std::span<const std::string> tokens) const {
  // Sums are order-free, so the unordered map's layout cannot change the result. No prior from the
  // decision counts: a site's moderators decide on what reaches them, not on a sample of its posts
  // (with post-moderation, mostly spam), so that ratio would only lean every verdict one way.
  // P(token | spam) = (s + 1/8) / (S + V/8), scaled by 8: (8s + 1) / (8S + V).
  const std::uint64_t vocabulary = tokens_.size();
  const std::int64_t spamDenominator = log2Q16(kSmoothingDivisor * spamTokenTotal_ + vocabulary);
  const std::int64_t hamDenominator = log2Q16(kSmoothingDivisor * hamTokenTotal_ + vocabulary);
  std::vector<std::int64_t> evidence;
  evidence.reserve(tokens.size());
  for (const std::string& token : tokens) {
    auto it = tokens_.find(token);
    if (it == tokens_.end()) continue;
    // Each logarithm apart: the products could pass 64 bits.
    evidence.push_back(log2Q16(kSmoothingDivisor * it->second.spam + 1) + hamDenominator -
                       log2Q16(kSmoothingDivisor * it->second.ham + 1) - spamDenominator);
  }
  // Only the strongest evidence counts (Graham's "most interesting" tokens): a long message's many
  // weak words would otherwise drown the few that tell. Ties break by value, so order is fixed.
  std::size_t strongest = std::min(evidence.size(), kEvidenceTokens);
  std::partial_sort(evidence.begin(), evidence.begin() + static_cast<std::ptrdiff_t>(strongest), evidence.end(),
                    [](std::int64_t a, std::int64_t b) {
                      std::int64_t magnitudeA = a < 0 ? -a : a;
                      std::int64_t magnitudeB = b < 0 ? -b : b;
                      return magnitudeA != magnitudeB ? magnitudeA > magnitudeB : a > b;
                    });
  std::int64_t odds = 0;
  for (std::size_t i = 0; i < strongest; ++i) odds += evidence[i];
  return odds;
}

std::vector<std::pair<std::string, TokenCounts>> BayesModel::sortedTokens() const {
  std::vector<std::pair<std::string, TokenCounts>> sorted(tokens_.begin(), tokens_.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

}  // namespace kring
