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

// Issue 33: a word honest on its own is often spam beside another ("click here"). On the SpamAssassin
// corpus pairs of neighbouring words raised the spam held with every message reviewed from 91.5% to
// 95.5% (docs/spam-evaluation.md).
TEST_CASE("spam tokens: each pair of neighbouring words is a token of its own", "[content]") {
  const std::vector<std::string> tokens = spamTokens("Click HERE now, for v1agra");
  for (const char* token : {"click here", "here now", "now for", "for viagra", "click", "viagra"}) {
    INFO(token);
    CHECK(std::find(tokens.begin(), tokens.end(), token) != tokens.end());
  }
  CHECK(std::find(tokens.begin(), tokens.end(), "click now") == tokens.end());
  // Words too short to be tokens are skipped, and so are their pairs: "a" joins nothing.
  const std::vector<std::string> skipping = spamTokens("buy a car");
  CHECK(std::find(skipping.begin(), skipping.end(), "buy car") != skipping.end());
  // Numbers join no pair, and pairs come from the first 100 words only.
  const std::vector<std::string> price = spamTokens("only 129 euros");
  CHECK(std::find(price.begin(), price.end(), "only 129") == price.end());
  CHECK(std::find(price.begin(), price.end(), "129 euros") == price.end());
  CHECK(std::find(price.begin(), price.end(), "only euros") == price.end());
  std::string opening;
  for (int i = 0; i < 99; ++i) opening += "word ";
  const std::vector<std::string> hundred = spamTokens(opening + "click here now");
  CHECK(std::find(hundred.begin(), hundred.end(), "word click") != hundred.end());  // words 99 and 100
  CHECK(std::find(hundred.begin(), hundred.end(), "click here") == hundred.end());  // 100 and 101
  CHECK(std::find(hundred.begin(), hundred.end(), "here") != hundred.end());
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

// Issue 33: add-one smoothing made a word seen twice in spam and never in ham barely count (log2 3),
// and the ratio of the moderators' decisions leaned every verdict (with post-moderation they are
// mostly spam). Add-1/8 smoothing, no prior.
TEST_CASE("the naive Bayes: a word seen only in spam is strong evidence, and the decisions' ratio is no evidence",
          "[bayes]") {
  BayesModel model;
  model.train(std::vector<std::string>{"casino", "tonight"}, true);
  model.train(std::vector<std::string>{"casino", "winner"}, true);
  model.train(std::vector<std::string>{"strap", "fits"}, false);
  model.train(std::vector<std::string>{"battery", "lasts"}, false);
  // (8·2 + 1) / (8·4 + 7) against (8·0 + 1) / (8·4 + 7): log2 17, about 4.09 bits (add-one: log2 3).
  const std::vector<std::string> casino{"casino"};
  CHECK(model.logOddsQ16(casino) > 3 * 65536);
  CHECK(model.logOddsQ16(casino) < 5 * 65536);

  // Five spam decisions to one ham: a text of unknown words is no more spam than ham.
  BayesModel leaning;
  for (int i = 0; i < 5; ++i) leaning.train(std::vector<std::string>{"casino"}, true);
  leaning.train(std::vector<std::string>{"strap"}, false);
  const std::vector<std::string> unknown{"hiking", "boots"};
  CHECK(leaning.logOddsQ16(unknown) == 0);
}

// Issue 33: obfuscation that beat the filter is read as the plain word (the server's build).
TEST_CASE("invisible code points, look-alike letters and fullwidth forms read as the plain word", "[content]") {
  const std::vector<std::string> plain = spamTokens("Cheap viagra online now");
  REQUIRE(std::find(plain.begin(), plain.end(), "viagra") != plain.end());
  for (const char* obfuscated : {
           "Cheap vi\u200Bagra online now",                          // zero-width space
           "Cheap v\u200Di\u200Da\u200Dg\u200Dr\u200Da online now",  // zero-width joiners between letters
           "Cheap vi\u00ADagra online now",                          // soft hyphen
           "Cheap v\u0456\u0430gr\u0430 online now",                 // Cyrillic і and а
           "Cheap \u03BD\u03B9agra online now",                      // Greek ν and ι
           "Cheap \uFF56\uFF49\uFF41\uFF47\uFF52\uFF41 online now",  // fullwidth
           "Cheap \U0001D42F\U0001D422\U0001D41A\U0001D420\U0001D42B\U0001D41A online now",  // mathematical bold
           "Cheap v1agra online now",                                                        // a digit for a letter
           "Cheap VI\u2060AGRA online now",                                                  // word joiner, upper case
       }) {
    INFO(obfuscated);
    CHECK(spamTokens(obfuscated) == plain);
    // Duplicates compare digits as digits ("$5" is not "$6"): a digit for a letter is a text of its own there.
    if (std::string_view(obfuscated).find('1') == std::string_view::npos) {
      CHECK(contentFingerprint(obfuscated) == contentFingerprint("Cheap viagra online now"));
    }
    CHECK(matchedTexts(obfuscated, {{"en", "viagra", WatchAction::block}}).size() == 1);
  }
  // A separator is still a separator: a zero-width space does not join two words that a space parts.
  CHECK(spamTokens("cheap \u200Bviagra") == spamTokens("cheap viagra"));
  // Other scripts stay themselves: a Russian word is not turned into Latin letters it is not.
  CHECK(spamTokens("\u0434\u043E\u043C") != spamTokens("aom"));
}

TEST_CASE("a reply's quote of the post it answers is not the poster's: the classifier leaves it out", "[content]") {
  const std::string own = "Thanks, that answers it.";
  const std::string quoting = "> Buy cheap pills at https://pills.example now\n> best prices\n\n" + own;
  CHECK(spamTokens(quoting, true) == spamTokens(own, true));
  CHECK(withoutQuotes(quoting) == "\n" + own);
  // A top-level post's quotes are what it says (a mailing list's honest mail quotes a lot).
  CHECK(spamTokens(quoting) != spamTokens(own));
  // Quote marks inside a line are words, not quotes.
  CHECK(spamTokens("a > b means more") != spamTokens(""));
}

// The whole of UTS #39's confusables and NFKC, from ICU (sdk/unicode/generate_folds.cpp), not a list of
// the look-alikes seen so far.
TEST_CASE("letters of any script drawn like Latin ones, styled and decorated letters fold to the word", "[content]") {
  const std::vector<std::string> plain = spamTokens("Cheap viagra online now");
  REQUIRE(std::find(plain.begin(), plain.end(), "online") != plain.end());
  for (const char* obfuscated : {
           "Cheap \u03BD\u2170\u0251\u0261\u0433\u0251 online now",  // Greek ν, roman ⅰ, Latin ɑ and ɡ, Cyrillic г
           "Cheap viagra \u0585\u0578\u217C\u0456\u0578\u04BD now",  // Armenian օ ո, roman ⅼ, Cyrillic і ҽ
           "Cheap \u24E5\u24D8\u24D0\u24D6\u24E1\u24D0 online now",  // circled letters
           "Cheap \U0001D5CF\U0001D5C2\U0001D5BA\U0001D5C0\U0001D5CB\U0001D5BA online now",  // mathematical sans-serif
           "Cheap v\u0337i\u0336a\u0335g\u0334r\u0338a\u0337 online now",  // combining strokes (Zalgo)
           "Cheap viagra \u0585\u0578line \u0578\u0585w",                  // Armenian for o and n
       }) {
    INFO(obfuscated);
    CHECK(spamTokens(obfuscated) == plain);
    CHECK(contentFingerprint(obfuscated) == contentFingerprint("Cheap viagra online now"));
    CHECK(matchedTexts(obfuscated, {{"en", "online now", WatchAction::block}}).size() == 1);
  }
  // Accents come off however they are written: "é" as one code point or as e and a combining acute.
  CHECK(spamTokens("caf\u00E9 cr\u00E8me") == spamTokens("cafe\u0301 cre\u0300me"));
  CHECK(spamTokens("cafe\u0301") == spamTokens("cafe"));
  // Ligatures and superscripts are their letters and digits; symbols stay symbols, not letters.
  CHECK(spamTokens("\uFB01ne print") == spamTokens("fine print"));
  CHECK(contentFingerprint("x\u00B2") == contentFingerprint("x2"));
  CHECK(spamTokens("brand\u2122") != spamTokens("brandtm"));
}

TEST_CASE("links hidden with invisible or look-alike letters still count as links", "[content]") {
  const ContentCounts plain = countContent("Buy at https://pills.example/now and http://b.example");
  REQUIRE(plain.links == 2);
  CHECK(countContent("Buy at ht\u200Dtps://pills.example/now and h\u200Bttp://b.example").links == 2);
  CHECK(countContent("Buy at htt\u0440s://pills.example/now and \uFF48ttp://b.example").links == 2);
  CHECK(spamTokens("Buy at ht\u200Dtps://pills.ex\u200Dample/now") == spamTokens("Buy at https://pills.example/now"));
}
