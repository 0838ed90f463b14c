#include "text/naive_bayes.h"

#include <algorithm>
#include <bit>

namespace kring {

namespace {
constexpr std::size_t kEvidenceTokens = 20;
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
  // Sums are order-free, so the unordered map's layout cannot change the result.
  std::int64_t odds = log2Q16(std::uint64_t{spamDecisions} + 1) - log2Q16(std::uint64_t{hamDecisions} + 1);
  std::uint64_t vocabulary = tokens_.size();
  std::uint64_t spamDenominator = spamTokenTotal_ + vocabulary;
  std::uint64_t hamDenominator = hamTokenTotal_ + vocabulary;
  std::vector<std::int64_t> evidence;
  evidence.reserve(tokens.size());
  for (const std::string& token : tokens) {
    auto it = tokens_.find(token);
    if (it == tokens_.end()) continue;
    // log2(((s+1)/(S+V)) / ((h+1)/(H+V))) = log2((s+1)(H+V)) - log2((h+1)(S+V)); both products fit in 64 bits.
    evidence.push_back(log2Q16((std::uint64_t{it->second.spam} + 1) * hamDenominator) -
                       log2Q16((std::uint64_t{it->second.ham} + 1) * spamDenominator));
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
  for (std::size_t i = 0; i < strongest; ++i) odds += evidence[i];
  return odds;
}

std::vector<std::pair<std::string, TokenCounts>> BayesModel::sortedTokens() const {
  std::vector<std::pair<std::string, TokenCounts>> sorted(tokens_.begin(), tokens_.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return sorted;
}

}  // namespace kring
