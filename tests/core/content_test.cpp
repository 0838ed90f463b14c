// What the pipeline reads in a post: links, mentions, images, watched words, fingerprints, and the
// fixed-point naive Bayes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "text/content.h"
#include "text/naive_bayes.h"

using namespace kring;

namespace {

std::vector<std::string> matchedTexts(std::string_view text, const std::vector<WatchedWord>& words) {
  WatchList list = compileWatchList(words);
  std::vector<std::string> out;
  for (const WatchMatch& match : findWatchedWords(text, list))
    out.emplace_back(text.substr(match.begin, match.end - match.begin));
  return out;
}

}  // namespace

TEST_CASE("links, mentions and images are counted as a new member's limits need", "[content]") {
  ContentCounts counts = countContent(
      "See https://a.example/x and www.b.example, mail ann@c.example, ask @bob "
      "![pic](https://i.example/p.png) <IMG src=x> [docs](http://d.example)");
  CHECK(counts.links == 3);     // the image's address is not also a link
  CHECK(counts.mentions == 1);  // an e-mail address is not a mention
  CHECK(counts.images == 2);
  CHECK(countContent("one two  three\nfour").words == 4);
}

TEST_CASE("watched words match through case, accents and simple obfuscation", "[content]") {
  std::vector<WatchedWord> words{{"en", "viagra", WatchAction::block}};
  for (const char* text : {"buy VIAGRA", "buy v.i.a.g.r.a", "buy v i a g r a", "buy v-i-a-g-r-a", "buy viaaagra",
                           "buy vvviagra", "buy v1agra", "buy víágra", "buy vi@gra", "buy v14gr4"}) {
    INFO(text);
    CHECK(matchedTexts(text, words).size() == 1);
  }
}

TEST_CASE("watched words respect word boundaries", "[content]") {
  CHECK(matchedTexts("a first-class pass", {{"en", "ass", WatchAction::block}}).empty());
  CHECK(matchedTexts("Scunthorpe United", {{"en", "cunt", WatchAction::block}}).empty());
  CHECK(matchedTexts("you ass.", {{"en", "ass", WatchAction::block}}) == std::vector<std::string>{"ass"});
  // Numbers stay numbers: "1" is not an "i" in a word without letters.
  CHECK(matchedTexts("call 555 1234", {{"en", "sss", WatchAction::block}}).empty());
}

TEST_CASE("phrases match across any whitespace, longest first", "[content]") {
  std::vector<WatchedWord> words{{"nl", "achter het raam", WatchAction::flag}, {"nl", "achter", WatchAction::flag}};
  std::vector<std::string> found = matchedTexts("zit ACHTER  het\nraam", words);
  REQUIRE(found.size() == 1);
  CHECK(found[0] == "ACHTER  het\nraam");
}

TEST_CASE("censoring replaces each match with stars and keeps the rest", "[content]") {
  std::string text = "Darn, darn it";
  WatchList list = compileWatchList(std::vector<WatchedWord>{{"en", "darn", WatchAction::censor}});
  std::vector<WatchMatch> matches = findWatchedWords(text, list);
  CHECK(censorMatches(text, matches) == "***, *** it");
}

TEST_CASE("fingerprints ignore case, punctuation and spacing", "[content]") {
  CHECK(contentFingerprint("First!") == contentFingerprint("first!!"));
  CHECK(contentFingerprint("Great  product") == contentFingerprint("great product."));
  CHECK(contentFingerprint("great product") != contentFingerprint("great products"));
  CHECK(contentFingerprint("😀") != contentFingerprint("😀😀"));  // no letters: the raw text decides
}

TEST_CASE("spam tokens: folded words, linked hosts and markers, unique and sorted", "[content]") {
  std::vector<std::string> tokens = spamTokens("Cheap CHEAP café https://Shop.Example/x @bob ![a](b)");
  CHECK(std::is_sorted(tokens.begin(), tokens.end()));
  CHECK(std::adjacent_find(tokens.begin(), tokens.end()) == tokens.end());
  CHECK(std::find(tokens.begin(), tokens.end(), "cheap") != tokens.end());
  CHECK(std::find(tokens.begin(), tokens.end(), "cafe") != tokens.end());
  CHECK(std::find(tokens.begin(), tokens.end(), "link:shop.example") != tokens.end());
  CHECK(std::find(tokens.begin(), tokens.end(), "has:mention") != tokens.end());
}

TEST_CASE("log2 in Q16 is exact at powers of two and within a unit of the true value", "[bayes]") {
  CHECK(log2Q16(1) == 0);
  CHECK(log2Q16(2) == 65536);
  CHECK(log2Q16(1024) == 10 * 65536);
  CHECK(log2Q16(std::uint64_t{1} << 63) == 63 * 65536);
  std::int64_t previous = -1;
  for (std::uint64_t x : {3ULL, 5ULL, 10ULL, 1000ULL, 123456789ULL, 99999999999ULL, ~0ULL}) {
    INFO(x);
    std::int64_t value = log2Q16(x);
    CHECK(value > previous);
    previous = value;
    CHECK(std::abs(static_cast<double>(value) / 65536.0 - std::log2(static_cast<double>(x))) < 2.0 / 65536.0);
  }
}

TEST_CASE("the naive Bayes learns, unlearns exactly, and does not depend on training order", "[bayes]") {
  std::vector<std::vector<std::string>> spam{
      {"cheap", "pills", "casino"}, {"casino", "bonus", "win"}, {"cheap", "win"}};
  std::vector<std::vector<std::string>> ham{{"battery", "lasts"}, {"strap", "fits", "battery"}, {"shipping", "quick"}};
  BayesModel model;
  for (const auto& tokens : spam) model.train(tokens, true);
  for (const auto& tokens : ham) model.train(tokens, false);
  std::vector<std::string> spammy{"cheap", "casino"};
  std::vector<std::string> hammy{"battery", "strap"};
  CHECK(model.logOddsQ16(spammy) > 0);
  CHECK(model.logOddsQ16(hammy) < 0);

  BayesModel reversed;
  for (auto it = ham.rbegin(); it != ham.rend(); ++it) reversed.train(*it, false);
  for (auto it = spam.rbegin(); it != spam.rend(); ++it) reversed.train(*it, true);
  CHECK(reversed.logOddsQ16(spammy) == model.logOddsQ16(spammy));
  CHECK(reversed.sortedTokens().size() == model.sortedTokens().size());

  BayesModel undone = model;
  std::vector<std::string> extra{"cheap", "refund"};
  undone.train(extra, true);
  undone.train(extra, true, -1);
  CHECK(undone.logOddsQ16(spammy) == model.logOddsQ16(spammy));
  CHECK(undone.spamDecisions == model.spamDecisions);
  CHECK(undone.vocabulary() == model.vocabulary());
}
