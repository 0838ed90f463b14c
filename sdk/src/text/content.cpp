#include "text/content.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>

namespace kring {

namespace {

// --- Folding: one code point to lowercase ASCII where it has a plain Latin form ---

// Latin-1 Supplement, U+00C0..U+00FF; "" for signs that are not letters (× ÷).
constexpr std::array<std::string_view, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e",  "e", "e", "i", "i", "i", "i", "d",  "n", "o",  "o", "o", "o",
    "o", "",  "o", "u", "u", "u", "u",  "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e", "e", "e",
    "i", "i", "i", "i", "d", "n", "o",  "o", "o",  "o",  "o", "",  "o", "u", "u", "u", "u",  "y", "th", "y"};

// Latin Extended-A, U+0100..U+017F, as runs of code points sharing a base.
struct LatinRun {
  char32_t first;
  char32_t last;
  std::string_view base;
};
constexpr LatinRun kLatinExtendedA[] = {
    {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"},  {0x112, 0x11B, "e"},  {0x11C, 0x123, "g"},
    {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},  {0x136, 0x138, "k"},
    {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"},  {0x152, 0x153, "oe"}, {0x154, 0x159, "r"},
    {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"},  {0x174, 0x175, "w"},  {0x176, 0x178, "y"},
    {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}};

constexpr std::string_view kLowerAscii = "abcdefghijklmnopqrstuvwxyz";

enum class Kind : std::uint8_t { letter, digit, symbol, separator, ignorable };

#ifndef KRING_WIDGET_CORE
// Seen through when scoring (issue 33), from ICU when CMake configures (sdk/unicode/generate_folds.cpp):
// kIgnorable, code points that show nothing (Default_Ignorable: zero-width spaces and joiners, soft
// hyphens, bidi controls, variation selectors, tags) or only a mark over a letter (combining
// diacritics), are not there at all; kFolds, code points that read as plain Latin letters or digits
// (NFKC with case folding: fullwidth, mathematical, circled letters; UTS #39 confusables: "vіаgrа" with
// Cyrillic і and а), as those letters.
#include "kring/unicode_folds.inc"

bool ignorable(char32_t code) {
  const auto* after = std::upper_bound(std::begin(kIgnorable), std::end(kIgnorable), code,
                                       [](char32_t c, const auto& range) { return c < range.first; });
  return after != std::begin(kIgnorable) && code <= (after - 1)->second;
}

std::optional<std::string_view> plainForm(char32_t code) {
  const Fold* found = std::lower_bound(std::begin(kFolds), std::end(kFolds), code,
                                       [](const Fold& fold, char32_t c) { return fold.code < c; });
  if (found == std::end(kFolds) || found->code != code) return std::nullopt;
  return kFoldPool.substr(found->at, found->length);
}
#endif

struct Unit {
  std::string_view folded;  // lowercase ASCII, or the code point's own bytes
  Kind kind = Kind::separator;
  char ascii = 0;  // the byte, for ASCII units
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Decodes one UTF-8 code point at `at` (invalid bytes read as one separator byte).
char32_t decode(std::string_view text, std::size_t at, std::size_t& length) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  int extra = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : (lead & 0xF8) == 0xF0 ? 3 : -1;
  if (extra < 0 || at + extra >= text.size() + (extra == 0 ? 1 : 0)) {
    length = 1;
    return 0xFFFD;
  }
  char32_t code = extra == 0 ? lead : lead & (0x3F >> extra);
  for (int i = 1; i <= extra; ++i) {
    if (at + i >= text.size() || (byte(at + i) & 0xC0) != 0x80) {
      length = 1;
      return 0xFFFD;
    }
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  length = static_cast<std::size_t>(extra) + 1;
  return code;
}

Unit classify(std::string_view text, std::size_t at) {
  std::size_t length = 1;
  char32_t code = decode(text, at, length);
  Unit unit;
  unit.begin = at;
  unit.end = at + length;
  if (code < 0x80) {
    char c = static_cast<char>(code);
    unit.ascii = c;
    if (c >= 'A' && c <= 'Z') {
      unit.kind = Kind::letter;
      unit.folded = kLowerAscii.substr(static_cast<std::size_t>(c - 'A'), 1);
    } else if (c >= 'a' && c <= 'z') {
      unit.kind = Kind::letter;
      unit.folded = kLowerAscii.substr(static_cast<std::size_t>(c - 'a'), 1);
    } else if (c >= '0' && c <= '9') {
      unit.kind = Kind::digit;
      unit.folded = text.substr(at, 1);
    } else if (c == '@' || c == '$') {
      unit.kind = Kind::symbol;
      unit.folded = text.substr(at, 1);
    }
    return unit;
  }
#ifndef KRING_WIDGET_CORE
  if (ignorable(code)) {
    unit.kind = Kind::ignorable;
    return unit;
  }
  if (std::optional<std::string_view> plain = plainForm(code)) {
    const bool digits = std::all_of(plain->begin(), plain->end(), [](char c) { return c >= '0' && c <= '9'; });
    unit.kind = digits ? Kind::digit : Kind::letter;
    unit.folded = *plain;
    return unit;
  }
#endif
  if (code >= 0xC0 && code <= 0xFF) {
    unit.folded = kLatin1[code - 0xC0];
    unit.kind = unit.folded.empty() ? Kind::separator : Kind::letter;
    return unit;
  }
  for (const LatinRun& run : kLatinExtendedA) {
    if (code >= run.first && code <= run.last) {
      unit.folded = run.base;
      unit.kind = Kind::letter;
      return unit;
    }
  }
  // Punctuation and spaces outside ASCII separate words; other scripts and emoji are letters.
  bool punctuation = code == 0xFFFD || (code >= 0x80 && code <= 0xBF) || (code >= 0x2000 && code <= 0x206F) ||
                     (code >= 0x3000 && code <= 0x303F);
  unit.kind = punctuation ? Kind::separator : Kind::letter;
  unit.folded = text.substr(at, length);
  return unit;
}

std::vector<Unit> units(std::string_view text) {
  std::vector<Unit> out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    out.push_back(classify(text, at));
    at = out.back().end;
  }
  return out;
}

bool isWordUnit(const std::vector<Unit>& all, std::size_t i, bool inWord) {
  const Unit& unit = all[i];
  if (unit.kind == Kind::letter || unit.kind == Kind::digit) return true;
  if (unit.kind != Kind::symbol) return false;
  // @ and $ stand for letters inside a word (v@gra) and $ at its start ($ex); @name is a mention.
  bool nextIsLetter = i + 1 < all.size() && (all[i + 1].kind == Kind::letter || all[i + 1].kind == Kind::digit);
  return nextIsLetter && (inWord || unit.ascii == '$');
}

struct Word {
  std::string folded;  // lowercase, accents off, symbols as written
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t letters = 0;  // code points
  bool hasLetter = false;
};

std::vector<Word> splitWords(std::string_view text) {
  std::vector<Unit> all = units(text);
  std::vector<Word> words;
  Word current;
  bool inWord = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].kind == Kind::ignorable) continue;  // not there: a word goes on across it
    if (isWordUnit(all, i, inWord)) {
      if (!inWord) {
        current = Word{};
        current.begin = all[i].begin;
        inWord = true;
      }
      current.folded += all[i].folded;
      current.end = all[i].end;
      current.letters += 1;
      current.hasLetter = current.hasLetter || all[i].kind == Kind::letter;
    } else if (inWord) {
      words.push_back(std::move(current));
      inWord = false;
    }
  }
  if (inWord) words.push_back(std::move(current));
  return words;
}

bool isJoiner(char c) { return c == '.' || c == '-' || c == '_' || c == '*' || c == ' ' || c == '/' || c == '|'; }

// v.i.a.g.r.a and v i a g r a: three or more one-letter words, each one joiner apart, are one word.
std::vector<Word> joinSpelledOut(std::string_view text, std::vector<Word> words) {
  std::vector<Word> out;
  out.reserve(words.size());
  for (std::size_t i = 0; i < words.size();) {
    std::size_t j = i;
    while (j + 1 < words.size() && words[j].letters == 1 && words[j + 1].letters == 1 &&
           words[j + 1].begin == words[j].end + 1 && isJoiner(text[words[j].end])) {
      ++j;
    }
    if (j - i + 1 >= 3) {
      Word joined = words[i];
      for (std::size_t k = i + 1; k <= j; ++k) {
        joined.folded += words[k].folded;
        joined.end = words[k].end;
        joined.letters += 1;
        joined.hasLetter = joined.hasLetter || words[k].hasLetter;
      }
      out.push_back(std::move(joined));
      i = j + 1;
    } else {
      out.push_back(std::move(words[i]));
      ++i;
    }
  }
  return out;
}

char leetLetter(char c) {
  switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    default: return c;
  }
}

// Digits and symbols read as letters (in words that have letters), repeated letters once.
std::string skeleton(const Word& word) {
  std::string out;
  out.reserve(word.folded.size());
  for (char c : word.folded) {
    char letter = word.hasLetter ? leetLetter(c) : c;
    if (!out.empty() && out.back() == letter && static_cast<unsigned char>(letter) < 0x80) continue;
    out.push_back(letter);
  }
  return out;
}

std::vector<Word> skeletonWords(std::string_view text) {
  std::vector<Word> words = joinSpelledOut(text, splitWords(text));
  for (Word& word : words) word.folded = skeleton(word);
  return words;
}

// --- Links, images and mentions ---

bool startsWithNoCase(std::string_view text, std::size_t at, std::string_view prefix) {
  if (text.size() - at < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[at + i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool endsAddress(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ')' || c == '>' || c == '"' || c == '\'' || c == ']';
}

std::size_t addressEnd(std::string_view text, std::size_t at) {
  while (at < text.size() && !endsAddress(text[at])) ++at;
  return at;
}

// The lowercase host of the address starting at `at` (after any scheme).
std::string hostOf(std::string_view text, std::size_t at, std::size_t end) {
  if (std::size_t scheme = text.substr(at, end - at).find("://"); scheme != std::string_view::npos) at += scheme + 3;
  std::string host;
  for (; at < end && text[at] != '/' && text[at] != ':' && text[at] != '?' && text[at] != '#'; ++at) {
    char c = text[at];
    host.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return host;
}

bool isNameByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

struct Markup {
  ContentCounts counts;
  std::vector<std::string> hosts;
};

bool trustedHost(std::string_view host, std::span<const std::string> trusted) {
  return std::any_of(trusted.begin(), trusted.end(), [&](const std::string& domain) {
    return host == domain ||
           (host.size() > domain.size() && host.ends_with(domain) && host[host.size() - domain.size() - 1] == '.');
  });
}

Markup scanMarkup(std::string_view text, std::span<const std::string> trusted = {}) {
  Markup markup;
  ContentCounts& counts = markup.counts;
  bool inWord = false;
  for (std::size_t at = 0; at < text.size();) {
    char c = text[at];
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !inWord) counts.words += 1;
    bool wordStart = !inWord;
    inWord = !space;
    if (c == '!' && at + 1 < text.size() && text[at + 1] == '[') {
      std::size_t close = text.find("](", at);
      if (close != std::string_view::npos) {
        std::size_t end = text.find(')', close);
        if (end == std::string_view::npos) end = text.size();
        counts.images += 1;
        at = end;  // the image's address is not also a link
        continue;
      }
    }
    if (c == '<' && startsWithNoCase(text, at + 1, "img")) {
      counts.images += 1;
      std::size_t end = text.find('>', at);
      at = end == std::string_view::npos ? text.size() : end;
      continue;
    }
    if (startsWithNoCase(text, at, "http://") || startsWithNoCase(text, at, "https://") ||
        (startsWithNoCase(text, at, "www.") && (at == 0 || !isNameByte(text[at - 1])))) {
      std::size_t end = addressEnd(text, at);
      std::string host = hostOf(text, at, end);
      if (!trustedHost(host, trusted)) counts.links += 1;  // the site's own: no link for limits and points
      markup.hosts.push_back(std::move(host));
      at = end;
      continue;
    }
    if (c == '@' && (wordStart || text[at - 1] == '(') && at + 1 < text.size() && isNameByte(text[at + 1]) &&
        text[at + 1] != '.') {
      counts.mentions += 1;
    }
    ++at;
  }
  return markup;
}

}  // namespace

std::string scanningText(std::string_view markdown) {
#ifdef KRING_WIDGET_CORE
  return std::string(markdown);
#else
  // Invisible code points out, look-alike letters as their Latin letter: "ht\u200Dtps://" and
  // "httрs://" (a Cyrillic р) are links, as a reader's eye takes them.
  std::string out;
  out.reserve(markdown.size());
  for (std::size_t at = 0; at < markdown.size();) {
    const Unit unit = classify(markdown, at);
    if (unit.kind != Kind::ignorable) {
      const bool plain = unit.end - unit.begin > 1 && (unit.kind == Kind::letter || unit.kind == Kind::digit) &&
                         std::all_of(unit.folded.begin(), unit.folded.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      out.append(plain ? unit.folded : markdown.substr(unit.begin, unit.end - unit.begin));
    }
    at = unit.end;
  }
  return out;
#endif
}

ContentCounts countContent(std::string_view markdown, std::span<const std::string> trustedDomains) {
  return scanMarkup(scanningText(markdown), trustedDomains).counts;
}

WatchList compileWatchList(std::span<const WatchedWord> words) {
  WatchList list;
  for (std::size_t i = 0; i < words.size(); ++i) {
    WatchList::Entry entry;
    entry.index = i;
    for (Word& word : skeletonWords(words[i].word)) entry.words.push_back(std::move(word.folded));
    if (entry.words.empty()) continue;
    list.byFirstWord[entry.words.front()].push_back(list.entries.size());
    list.entries.push_back(std::move(entry));
  }
  return list;
}

std::vector<WatchMatch> findWatchedWords(std::string_view text, const WatchList& list) {
  std::vector<WatchMatch> matches;
  if (list.entries.empty()) return matches;
  std::vector<Word> words = skeletonWords(text);
  for (std::size_t i = 0; i < words.size();) {
    auto candidates = list.byFirstWord.find(words[i].folded);
    const WatchList::Entry* best = nullptr;
    if (candidates != list.byFirstWord.end()) {
      for (std::size_t e : candidates->second) {
        const WatchList::Entry& entry = list.entries[e];
        if (i + entry.words.size() > words.size()) continue;
        bool same = true;
        for (std::size_t k = 1; same && k < entry.words.size(); ++k) same = words[i + k].folded == entry.words[k];
        if (same && (best == nullptr || entry.words.size() > best->words.size())) best = &entry;
      }
    }
    if (best == nullptr) {
      ++i;
      continue;
    }
    matches.push_back(WatchMatch{best->index, words[i].begin, words[i + best->words.size() - 1].end});
    i += best->words.size();
  }
  return matches;
}

std::string censorMatches(std::string_view text, std::span<const WatchMatch> matches) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const WatchMatch& match : matches) {
    if (match.begin < at || match.end > text.size()) continue;
    out.append(text.substr(at, match.begin - at));
    out.append("***");
    at = match.end;
  }
  out.append(text.substr(at));
  return out;
}

std::uint64_t contentFingerprint(std::string_view text) {
  constexpr std::uint64_t kOffset = 0xcbf29ce484222325ULL;
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  std::uint64_t hash = kOffset;
  bool any = false;
  for (const Unit& unit : units(text)) {
    if (unit.kind != Kind::letter && unit.kind != Kind::digit) continue;
    for (char c : unit.folded) hash = (hash ^ static_cast<unsigned char>(c)) * kPrime;
    any = true;
  }
  if (!any) {
    for (char c : text) hash = (hash ^ static_cast<unsigned char>(c)) * kPrime;
  }
  return hash == 0 ? 1 : hash;  // 0 means "no fingerprint" in the ledger
}

bool isShortText(std::string_view text) {
  std::size_t count = 0;
  for (const Unit& unit : units(text)) {
    if (unit.kind == Kind::letter || unit.kind == Kind::digit) ++count;
  }
  return count < kShortTextLettersAndDigits;
}

std::string withoutQuotes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find('\n', at);
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(at, end - at);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] != '>') out.append(line);
    at = end;
  }
  return out;
}

namespace {

// Pairs of neighbouring words come from a post's first words only: a spammer's pitch opens the post,
// and a long mail would otherwise add a token to the model for nearly every word it has.
constexpr std::size_t kPairedWords = 100;

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::vector<std::string> spamTokens(std::string_view markdown, bool reply) {
  // A reply's own words: what it quotes (the post it answers) is not the poster's.
  const std::string own = reply ? withoutQuotes(scanningText(markdown)) : scanningText(markdown);
  const std::string_view text = own;
  std::vector<std::string> tokens;
  std::string previous;  // the word before, when it can start a pair
  std::size_t kept = 0;
  for (Word& word : splitWords(text)) {
    // Digits and symbols among letters read as the letters they stand for: "v1agra" is "viagra".
    if (word.hasLetter) {
      for (char& c : word.folded) c = leetLetter(c);
    }
    if (word.folded.size() < 2 || word.folded.size() > 24) continue;
    // Each pair of neighbouring words too ("click here"): a word that is honest on its own is often
    // spam beside another. Among the first kPairedWords words only, and numbers join no pair: on the
    // SpamAssassin corpus that held fewer honest posts than pairs throughout, with a third of the
    // model's tokens, for a little less spam caught (docs/spam-evaluation.md). The space cannot occur
    // in a word, so a pair is never a word.
    const bool pairs = ++kept <= kPairedWords && std::none_of(word.folded.begin(), word.folded.end(), isAsciiDigit);
    if (pairs && !previous.empty()) tokens.push_back(previous + ' ' + word.folded);
    previous = pairs ? word.folded : std::string();
    tokens.push_back(std::move(word.folded));
  }
  Markup markup = scanMarkup(text);
  for (std::string& host : markup.hosts) tokens.push_back("link:" + host);
  if (markup.counts.links > 0) tokens.emplace_back("has:link");
  if (markup.counts.images > 0) tokens.emplace_back("has:image");
  if (markup.counts.mentions > 0) tokens.emplace_back("has:mention");
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  return tokens;
}

}  // namespace kring
