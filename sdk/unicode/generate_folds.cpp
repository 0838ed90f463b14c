// Writes the core's Unicode folding tables (sdk/src/text/unicode_folds.inc) from the ICU it is built
// against, so that the native and the wasm core fold with one table: Default_Ignorable code points
// and combining diacritics to drop, and every other code point above ASCII that reads as plain Latin
// letters or digits (NFKC with case folding, or a UTS #39 confusable of one) with those letters.
// Latin-1 letters and Latin Extended-A are left out: content.cpp folds them for every build.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>
#include <unicode/uversion.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

const char32_t kAsciiAlphanumerics[] = U"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

[[noreturn]] void fail(const char* what, UErrorCode status) {
  std::fprintf(stderr, "generate_folds: %s: %s\n", what, u_errorName(status));
  std::exit(1);
}

bool isMark(UChar32 code) {
  const auto mask = U_GET_GC_MASK(code);
  return (mask & (U_GC_MN_MASK | U_GC_ME_MASK | U_GC_MC_MASK)) != 0;
}

// The combining diacritics drawn over or under a letter of any script (Zalgo text stacks them).
bool isCombiningDiacritic(UChar32 code) {
  return (code >= 0x0300 && code <= 0x036F) || (code >= 0x1AB0 && code <= 0x1AFF) ||
         (code >= 0x1DC0 && code <= 0x1DFF) || (code >= 0x20D0 && code <= 0x20FF) || (code >= 0xFE20 && code <= 0xFE2F);
}

std::u32string codePoints(const icu::UnicodeString& text) {
  std::u32string out;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1))
    out.push_back(static_cast<char32_t>(text.char32At(i)));
  return out;
}

class Folder {
 public:
  Folder() {
    UErrorCode status = U_ZERO_ERROR;
    nfkcCasefold_ = icu::Normalizer2::getNFKCCasefoldInstance(status);
    nfd_ = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status)) fail("normalizers", status);
    spoof_ = uspoof_open(&status);
    if (U_FAILURE(status)) fail("uspoof_open", status);
    for (const char32_t* c = kAsciiAlphanumerics; *c != 0; ++c) {
      asciiSkeletons_.emplace_back(skeleton(icu::UnicodeString(static_cast<UChar32>(*c))), *c);
    }
  }
  ~Folder() { uspoof_close(spoof_); }

  // The plain lowercase letters or digits `code` reads as, if any.
  std::optional<std::string> fold(UChar32 code) const {
    const auto category = u_charType(code);
    // Alphabetic, not only category L: circled letters (Ⓥ) are symbols that NFKC makes letters.
    const bool letter = u_hasBinaryProperty(code, UCHAR_ALPHABETIC) != 0;
    const bool number = category == U_DECIMAL_DIGIT_NUMBER || category == U_LETTER_NUMBER || category == U_OTHER_NUMBER;
    if (!letter && !number) return std::nullopt;  // symbols and punctuation stay apart from words
    // NFKC with case folding: fullwidth, mathematical, circled and superscript forms, ligatures.
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString compatible = nfkcCasefold_->normalize(icu::UnicodeString(code), status);
    if (U_FAILURE(status)) fail("NFKC_Casefold", status);
    if (std::optional<std::string> plain = plainLetters(withoutMarks(compatible))) return plain;
    if (!letter) return std::nullopt;
    // A confusable (UTS #39): a letter whose skeleton is an ASCII letter's, of the same case where both
    // cases share it ("Ι", Greek capital iota, is "I", not "l").
    const std::u32string target = skeleton(icu::UnicodeString(code));
    const bool upper = u_isUUppercase(code) != 0;
    std::optional<char32_t> best;
    for (const auto& [ascii, c] : asciiSkeletons_) {
      if (ascii != target || (c >= U'0' && c <= U'9')) continue;
      const bool asciiUpper = c >= U'A' && c <= U'Z';
      if (!best || (asciiUpper == upper && ((*best >= U'A' && *best <= U'Z') != upper))) best = c;
    }
    if (!best) return std::nullopt;
    return std::string(1, static_cast<char>(u_tolower(static_cast<UChar32>(*best))));
  }

 private:
  std::u32string withoutMarks(const icu::UnicodeString& text) const {
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString decomposed = nfd_->normalize(text, status);
    if (U_FAILURE(status)) fail("NFD", status);
    std::u32string out;
    for (char32_t c : codePoints(decomposed)) {
      if (!isMark(static_cast<UChar32>(c))) out.push_back(c);
    }
    return out;
  }

  std::u32string skeleton(const icu::UnicodeString& text) const {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString out;
    uspoof_getSkeletonUnicodeString(spoof_, 0, text, out, &status);
    if (U_FAILURE(status)) fail("uspoof_getSkeleton", status);
    return withoutMarks(out);
  }

  static std::optional<std::string> plainLetters(const std::u32string& text) {
    if (text.empty()) return std::nullopt;
    std::string out;
    for (char32_t c : text) {
      if (!((c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9'))) return std::nullopt;
      out.push_back(static_cast<char>(c));
    }
    return out;
  }

  const icu::Normalizer2* nfkcCasefold_ = nullptr;
  const icu::Normalizer2* nfd_ = nullptr;
  USpoofChecker* spoof_ = nullptr;
  std::vector<std::pair<std::u32string, char32_t>> asciiSkeletons_;
};

bool handledByContent(UChar32 code) { return code >= 0xC0 && code <= 0x17F; }

}  // namespace

int main() {
  Folder folder;
  std::vector<std::pair<UChar32, UChar32>> ignorable;
  std::map<UChar32, std::string> folds;
  for (UChar32 code = 0x80; code <= 0x10FFFF; ++code) {
    const auto category = u_charType(code);
    if (category == U_UNASSIGNED || category == U_SURROGATE || category == U_PRIVATE_USE_CHAR) continue;
    if (u_hasBinaryProperty(code, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) || isCombiningDiacritic(code)) {
      if (!ignorable.empty() && ignorable.back().second + 1 == code) {
        ignorable.back().second = code;
      } else {
        ignorable.emplace_back(code, code);
      }
      continue;
    }
    if (handledByContent(code)) continue;
    if (std::optional<std::string> plain = folder.fold(code)) folds.emplace(code, *plain);
  }

  // One pool: "a".."z" and "0".."9" first, so that a one-letter fold points into it, then longer folds.
  std::string pool = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < pool.size(); ++i) at.emplace(pool.substr(i, 1), i);
  for (const auto& [code, plain] : folds) {
    if (at.emplace(plain, pool.size()).second) pool += plain;
  }
  if (pool.size() > 0xFFFF) {
    std::fprintf(stderr, "generate_folds: the pool outgrew 16-bit offsets\n");
    return 1;
  }

  std::printf("// Generated by sdk/unicode/generate_folds.cpp from ICU %s (Unicode %s). Do not edit.\n", U_ICU_VERSION,
              U_UNICODE_VERSION);
  std::printf("// %zu ranges of ignorable code points; %zu code points folded.\n\n", ignorable.size(), folds.size());
  std::printf("constexpr std::pair<char32_t, char32_t> kIgnorable[] = {\n");
  for (const auto& [first, last] : ignorable) std::printf("    {0x%04X, 0x%04X},\n", first, last);
  std::printf("};\n\nconstexpr std::string_view kFoldPool = \"%s\";\n\n", pool.c_str());
  std::printf("struct Fold {\n  char32_t code;\n  std::uint16_t at;\n  std::uint8_t length;\n};\n");
  std::printf("constexpr Fold kFolds[] = {\n");
  for (const auto& [code, plain] : folds) std::printf("    {0x%04X, %zu, %zu},\n", code, at[plain], plain.size());
  std::printf("};\n");
  return 0;
}
