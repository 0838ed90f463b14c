// Internal: what the moderation pipeline reads in a post's Markdown: links, mentions, images,
// watched words, a fingerprint for duplicates, and tokens for the spam classifier.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kring/policy.h"

namespace kring {

struct ContentCounts {
  std::uint32_t links = 0;     // http(s):// and www. addresses (an image's address is not also a link)
  std::uint32_t mentions = 0;  // @name at the start of a word (so not e-mail addresses)
  std::uint32_t images = 0;    // Markdown ![alt](url) and HTML <img
  std::uint32_t words = 0;     // whitespace-separated
};
// A link to one of `trustedDomains` (the policy's trustedLinkDomains) or a subdomain counts as none.
ContentCounts countContent(std::string_view markdown, std::span<const std::string> trustedDomains = {});

// Watched words compiled once per policy: each entry as a sequence of folded word skeletons,
// indexed by its first word.
struct WatchList {
  struct Entry {
    std::vector<std::string> words;
    std::size_t index = 0;  // into the policy's watchedWords
  };
  std::vector<Entry> entries;
  std::unordered_map<std::string, std::vector<std::size_t>> byFirstWord;
};
WatchList compileWatchList(std::span<const WatchedWord> words);

struct WatchMatch {
  std::size_t word = 0;   // index into the policy's watchedWords
  std::size_t begin = 0;  // byte range in the text
  std::size_t end = 0;
};
// Matches on word boundaries, ignoring case and accents (é→e, ß→ss, ĳ→ij, ø→o), and seeing
// through simple obfuscation: single letters joined by separators (v.i.a.g.r.a, v i a g r a),
// repeated letters (viaaagra) and digits or symbols for letters inside a word (v1agra, v@gra).
// The server's build (not the widget's, which leaves screening to it) also sees through invisible
// code points (zero-width joiners and spaces, soft hyphens, bidi controls) and combining marks, and
// folds letters of any script drawn like Latin ones (UTS #39), fullwidth, mathematical and circled
// letters to the Latin letter (sdk/unicode/generate_folds.cpp). The same folding
// makes the duplicate fingerprint and the classifier's tokens.
// Every locale's words apply: a site's posts mix languages. In text order, not overlapping.
std::vector<WatchMatch> findWatchedWords(std::string_view text, const WatchList& list);
// The text with each match replaced by "***".
std::string censorMatches(std::string_view text, std::span<const WatchMatch> matches);

// Duplicate detection: FNV-1a over the text's letters and digits, folded, so "First!" and
// "first!!" collide.
std::uint64_t contentFingerprint(std::string_view text);
// Below this many letters and digits a text is mostly its punctuation ("-1", "-$1.00", "+1"):
// the duplicate check compares such texts in full, not by fingerprint alone.
constexpr std::size_t kShortTextLettersAndDigits = 5;
bool isShortText(std::string_view text);

// Classifier tokens of the poster's own words: a reply's Markdown block-quote lines (it quoting the
// post it answers) are left out. Folded words of 2 to 24 bytes, digits and symbols among letters read
// as letters ("v1agra" as "viagra"), each pair of neighbouring such words among the first 100 that
// are not numbers ("click here"), "link:<host>" per linked host and "has:link", "has:image",
// "has:mention" markers; unique and sorted.
std::vector<std::string> spamTokens(std::string_view markdown, bool reply = false);
// The text as a reader's eye takes it, for counting links and for the classifier: invisible code
// points left out, look-alike, fullwidth and accented letters as their Latin letter (the server's
// build; the widget's returns the text as it is).
std::string scanningText(std::string_view markdown);
// The text without its Markdown block-quote lines (those whose first non-blank byte is '>').
std::string withoutQuotes(std::string_view markdown);

}  // namespace kring
