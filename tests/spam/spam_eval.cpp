// Precision and recall of "held as spam" on the SpamAssassin corpus, learning online from
// moderator decisions in time order: each message is posted, its outcome recorded, then the
// decision a moderator would take is applied as an op (which trains the filter) before the next.
// Input: JSON lines from spam-corpus.mjs. Output: a table (docs/spam-evaluation.md).
#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kring/engine.h"
#include "kring/notifications.h"
#include "kring/site_records.h"

namespace {

struct Message {
  kring::TimeMs time = 0;
  bool spam = false;
  std::string author;
  std::string body;
};

struct Counts {
  int truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0;

  void add(bool spam, bool heldAsSpam) {
    if (heldAsSpam) {
      ++(spam ? truePositives : falsePositives);
    } else {
      ++(spam ? falseNegatives : trueNegatives);
    }
  }
};

struct Tally {
  Counts all;
  Counts learned;  // messages posted once the classifier had its minimum of decisions of each kind
  int refused = 0;
  std::size_t learnedFrom = 0;  // the first of those
};

std::vector<Message> readCorpus(const std::string& path) {
  std::vector<Message> messages;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    boost::json::object object = boost::json::parse(line).as_object();
    messages.push_back(Message{object.at("time").to_number<kring::TimeMs>(), object.at("spam").as_bool(),
                               std::string(object.at("author").as_string()),
                               std::string(object.at("body").as_string())});
  }
  return messages;
}

enum class Review { everything, heldAndVisibleSpam };

constexpr std::string_view kShopDomain = "trailshop.example";

const char* reviewName(Review review) {
  return review == Review::everything ? "every message" : "held posts and visible spam";
}

bool heldAsSpam(const kring::Outcome& outcome) {
  return outcome.status == kring::OutcomeStatus::held && outcome.code == kring::ReasonCode::spamSuspected;
}

// The rules under test are the spam score's; the stages that would hold mail for other reasons
// (new-member link limits, rate limits, duplicates) are lifted so each verdict is the filter's.
kring::Policy evaluationPolicy(Review review) {
  kring::Policy policy;
  policy.newMemberUntilTrustLevel = 0;
  policy.ratePostsTrust0 = 1'000'000;
  policy.ratePostsTrust1 = 1'000'000;
  policy.ratePostsTrust2 = 1'000'000;  // regulars granted TL2 (the what-if below)
  policy.duplicateWindowHours = 0;
  // The shop of the shop-like honest posts (tests/spam/shop-ham.jsonl) links its own site.
  policy.trustedLinkDomains = {std::string(kShopDomain)};
  // Pre-moderation puts every message before a moderator; spam_suspected still names the filter's holds.
  if (review == Review::everything) policy.preModerateBelowTrustLevel = 5;
  return policy;
}

double percent(int part, int whole) { return whole == 0 ? 0.0 : 100.0 * part / whole; }

// How a replay runs, beyond the review regime.
struct Replay {
  Review review = Review::everything;
  bool bayes = true;
  // k-fold: the messages of fold `testFold` are posted in their place but nobody decides on them.
  std::span<const int> folds{};
  int testFold = -1;
  // What if regulars were trusted: a sender's posts that stay up (approved or never held) past this
  // many, a moderator grants trust level 2; 0 never.
  int trustAfter = 0;
  int hamPostsPerDay = -1;   // the policy's spamHamPostsPerDay; -1 the default
  int hamAfterMinutes = -1;  // the policy's spamHamAfterMinutes; -1 the default
  // Counts as learned from this message on (0: once the moderators made the minimum of decisions),
  // so that replays whose moderators decide less often count the same messages.
  std::size_t learnedFrom = 0;
};

// Posts every message in order with the moderator's decision after each, as a site would learn.
kring::Engine train(std::span<const Message> messages, const Replay& replay, Tally& tally, Counts* heldOut = nullptr) {
  kring::Policy policy = evaluationPolicy(replay.review);
  if (!replay.bayes) policy.spamBayesPointsPerBit = 0;
  if (replay.hamPostsPerDay >= 0) policy.spamHamPostsPerDay = replay.hamPostsPerDay;
  if (replay.hamAfterMinutes >= 0) policy.spamHamAfterMinutes = replay.hamAfterMinutes;
  kring::Engine engine("spam-eval", policy);
  const kring::Actor server{"kring:alerts", "Alerts", kring::Role::staff};
  const kring::Actor moderator{"moderator", "Moderator", kring::Role::moderator};
  std::map<std::string, int> postsUp;  // by sender: posts that stayed up
  int counter = 0;
  int spamDecisions = 0;
  int hamDecisions = 0;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const Message& message = messages[i];
    kring::Op post;
    post.id = "m-" + std::to_string(++counter);
    post.actor = kring::Actor{message.author, message.author.substr(0, 60), kring::Role::member};
    post.time = message.time;
    post.body = kring::CreatePost{"/inbox", "", message.body};
    if (counter == 1) {
      kring::Op thread{"thread", moderator, message.time - 1, 0,
                       kring::CreateThread{"/inbox", kring::ThreadKind::discussion, "Inbox"}};
      engine.apply(thread);
    }
    // The server's scheduled check, as kring-server submits it when one is due: posts that stood
    // spamHamAfterMinutes train the filter as ham.
    if (kring::alertsDue(engine, message.time - 1)) {
      engine.apply(kring::Op{"c-" + std::to_string(counter), server, message.time - 1, 0, kring::CheckAlerts{}});
    }
    kring::Outcome outcome = engine.apply(post);
    if (!outcome.stored()) {
      ++tally.refused;
      continue;
    }
    bool held = outcome.status == kring::OutcomeStatus::held;
    const bool learned = replay.learnedFrom > 0 ? i >= replay.learnedFrom
                                                : spamDecisions >= policy.spamBayesMinDecisions &&
                                                      hamDecisions >= policy.spamBayesMinDecisions;
    if (learned && tally.learnedFrom == 0) tally.learnedFrom = i;
    if (!replay.folds.empty() && replay.folds[i] == replay.testFold) {
      if (learned && heldOut != nullptr) heldOut->add(message.spam, heldAsSpam(outcome));
      continue;  // held out: no moderator learns from it
    }
    tally.all.add(message.spam, heldAsSpam(outcome));
    if (learned) tally.learned.add(message.spam, heldAsSpam(outcome));
    if (!message.spam && replay.trustAfter > 0 && ++postsUp[message.author] == replay.trustAfter) {
      kring::Moderate grant;
      grant.action = kring::ModerationAction::setTrustLevel;
      grant.memberId = message.author;
      grant.trustLevel = 2;
      grant.reason = "a regular";
      kring::Op act{"t-" + std::to_string(counter), moderator, message.time + 500, 0, grant};
      engine.apply(act);
    }
    // The moderator's decision, a second later.
    kring::Moderate decision;
    decision.postId = post.id;
    decision.reason = message.spam ? "spam" : "fine";
    if (message.spam) {
      decision.action = kring::ModerationAction::reject;
      decision.asSpam = true;
    } else if (held) {
      decision.action = kring::ModerationAction::approve;
    } else {
      continue;  // a visible good post: nobody acts on it
    }
    kring::Op act{"d-" + std::to_string(counter), moderator, message.time + 1000, 0, decision};
    kring::Outcome decided = engine.apply(act);
    if (!decided.stored()) std::cerr << "decision refused: " << decided.message << "\n";
    ++(message.spam ? spamDecisions : hamDecisions);
  }
  return engine;
}

kring::Engine train(std::span<const Message> messages, Review review, bool bayes, Tally& tally) {
  return train(messages, Replay{review, bayes}, tally);
}

// --- Obfuscated spam (issue 33): the model trained on the corpus in time order without every fifth
// spam message, then frozen; those held-out messages posted by new members, each rewritten as
// spammers rewrite ---

// Cut to the core's post limit at a character boundary, as a spammer keeps a post that goes through.
std::string fitted(std::string text) {
  constexpr std::size_t kMaxBodyBytes = 20000;
  if (text.size() <= kMaxBodyBytes) return text;
  std::size_t end = kMaxBodyBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

bool isAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A zero-width joiner between the letters of every word of four letters or more.
std::string zeroWidth(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (isAsciiLetter(text[i]) && i + 1 < text.size() && isAsciiLetter(text[i + 1]) && i >= 2 &&
        isAsciiLetter(text[i - 1]) && isAsciiLetter(text[i - 2])) {
      out += "\u200D";
    }
  }
  return out;
}

// "v1agra": digits for the letters they look like.
std::string digitsForLetters(std::string text) {
  for (char& c : text) {
    switch (c) {
      case 'a': c = '4'; break;
      case 'e': c = '3'; break;
      case 'i': c = '1'; break;
      case 'o': c = '0'; break;
      default: break;
    }
  }
  return text;
}

// Cyrillic letters drawn like the Latin ones: а е о р с х у і.
std::string lookAlikes(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case 'a': out += "\u0430"; break;
      case 'e': out += "\u0435"; break;
      case 'o': out += "\u043E"; break;
      case 'p': out += "\u0440"; break;
      case 'c': out += "\u0441"; break;
      case 'x': out += "\u0445"; break;
      case 'y': out += "\u0443"; break;
      case 'i': out += "\u0456"; break;
      default: out += c;
    }
  }
  return out;
}

// Letters of other scripts and styles, one for each Latin letter they pass for: Armenian, Greek,
// Cyrillic and Latin look-alikes, small roman numerals, fullwidth and mathematical letters.
std::string otherLookAlikes(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case 'a': out += "\u0251"; break;      // ɑ Latin alpha
      case 'c': out += "\u217D"; break;      // ⅽ small roman numeral one hundred
      case 'd': out += "\u0501"; break;      // ԁ Cyrillic komi de
      case 'e': out += "\u04BD"; break;      // ҽ Cyrillic abkhasian che
      case 'g': out += "\u0261"; break;      // ɡ Latin script g
      case 'h': out += "\u04BB"; break;      // һ Cyrillic shha
      case 'i': out += "\u2170"; break;      // ⅰ small roman numeral one
      case 'l': out += "\u217C"; break;      // ⅼ small roman numeral fifty
      case 'm': out += "\uFF4D"; break;      // ｍ fullwidth
      case 'n': out += "\u0578"; break;      // ո Armenian vo
      case 'o': out += "\u0585"; break;      // օ Armenian oh
      case 't': out += "\U0001D5CD"; break;  // 𝗍 mathematical sans-serif
      case 'u': out += "\u057D"; break;      // ս Armenian seh
      case 'v': out += "\u03BD"; break;      // ν Greek nu
      case 'y': out += "\u03B3"; break;      // γ Greek gamma
      default: out += c;
    }
  }
  return out;
}

// Zalgo: a combining stroke over each letter of a word from its fourth on.
std::string combiningMarks(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (isAsciiLetter(text[i]) && i >= 3 && isAsciiLetter(text[i - 1]) && isAsciiLetter(text[i - 2]) &&
        isAsciiLetter(text[i - 3])) {
      out += "\u0336";
    }
  }
  return out;
}

// A reply that first quotes an honest post (Markdown block quote), then says its piece.
std::string quotingFirst(const std::string& text, const std::string& honest) {
  std::string quote = "> ";
  for (char c : honest.substr(0, 400)) {
    quote += c;
    if (c == '\n') quote += "> ";
  }
  return quote + "\n\n" + text;
}

struct Variant {
  const char* name;
  std::function<std::string(const std::string& spam, const std::string& honest)> rewrite;
  bool reply = false;  // posted as a reply to the honest post
};

struct VariantResult {
  const char* name;
  int held = 0;
  int of = 0;
};

std::vector<VariantResult> adversarial(const std::vector<Message>& messages) {
  std::vector<Message> training;
  std::vector<const Message*> heldOut;
  std::vector<std::pair<std::string, const Message*>> honest;  // train() posts the nth message as "m-n"
  int spamSeen = 0;
  for (const Message& message : messages) {
    if (message.spam && spamSeen++ % 5 == 0) {
      heldOut.push_back(&message);
      continue;
    }
    training.push_back(message);
    if (!message.spam) honest.emplace_back("m-" + std::to_string(training.size()), &message);
  }
  Tally tally;
  const kring::Engine trained = train(training, Review::everything, true, tally);
  const Variant variants[] = {
      {"as written", [](const std::string& spam, const std::string&) { return spam; }},
      {"zero-width joiners inside words", [](const std::string& spam, const std::string&) { return zeroWidth(spam); }},
      {"digits for letters (v1agra)",
       [](const std::string& spam, const std::string&) { return digitsForLetters(spam); }},
      {"Cyrillic look-alike letters", [](const std::string& spam, const std::string&) { return lookAlikes(spam); }},
      {"other scripts' look-alikes, fullwidth and mathematical letters",
       [](const std::string& spam, const std::string&) { return otherLookAlikes(spam); }},
      {"combining strokes over letters (Zalgo)",
       [](const std::string& spam, const std::string&) { return combiningMarks(spam); }},
      {"a reply that quotes the post it answers first",
       [](const std::string& spam, const std::string& good) { return quotingFirst(spam, good); }, true},
  };
  std::vector<VariantResult> results;
  for (const Variant& variant : variants) {
    kring::Engine engine = trained.copy();
    int held = 0;
    int counter = 0;
    for (const Message* message : heldOut) {
      ++counter;
      const auto& [goodId, good] = honest[static_cast<std::size_t>(counter) % honest.size()];
      kring::Op post;
      post.id = "adversary-" + std::to_string(counter);
      post.actor = kring::Actor{"new-" + std::to_string(counter), "New member", kring::Role::member};
      post.time = message->time;
      post.body =
          kring::CreatePost{"/inbox", variant.reply ? goodId : "", fitted(variant.rewrite(message->body, good->body))};
      const kring::Outcome outcome = engine.apply(post);
      held += outcome.status == kring::OutcomeStatus::held && outcome.code == kring::ReasonCode::spamSuspected ? 1 : 0;
    }
    results.push_back({variant.name, held, static_cast<int>(heldOut.size())});
  }
  return results;
}

void printAdversarial(const std::vector<Message>& messages) {
  const std::vector<VariantResult> results = adversarial(messages);
  std::printf(
      "\nObfuscated spam: the model trained without every fifth spam message (every message reviewed), then\n"
      "frozen; the %d spam messages held out posted by new members, rewritten:\n\n",
      results.front().of);
  std::printf("| rewriting | spam held | held |\n|---|---|---|\n");
  for (const VariantResult& result : results) {
    std::printf("| %s | %d of %d | %.1f%% |\n", result.name, result.held, result.of, percent(result.held, result.of));
  }
}

// --- Shop-like honest posts (issue 33): questions and answers a shop's customers and staff write,
// posted after the corpus into the model it trained, by new members and by returning ones ---

struct ShopPost {
  std::string kind;
  std::string body;
};

std::vector<ShopPost> readShopHam(const std::string& path) {
  std::vector<ShopPost> posts;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    boost::json::object object = boost::json::parse(line).as_object();
    posts.push_back(ShopPost{std::string(object.at("kind").as_string()), std::string(object.at("body").as_string())});
  }
  return posts;
}

enum class Poster { newMember, returningMember };

struct ShopResult {
  int held = 0;
  int of = 0;
  std::vector<const ShopPost*> heldPosts;
};

// Honest senders of the corpus, most messages first: members whose posts were approved or went up.
std::vector<std::string> returningMembers(const std::vector<Message>& messages) {
  std::map<std::string, int> ham;
  std::map<std::string, bool> spammed;
  for (const Message& message : messages) {
    if (message.spam) {
      spammed[message.author] = true;
    } else {
      ham[message.author] += 1;
    }
  }
  std::vector<std::pair<int, std::string>> ranked;
  for (const auto& [author, count] : ham) {
    if (!spammed.count(author)) ranked.emplace_back(-count, author);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> authors;
  for (const auto& [count, author] : ranked) authors.push_back(author);
  return authors;
}

// Each post into product threads of the trained site, ten minutes apart after the corpus's last
// message; the model is frozen (no moderator acts), so every post meets the same filter.
ShopResult postShopHam(const kring::Engine& trained, const std::vector<ShopPost>& posts, Poster poster,
                       const std::vector<std::string>& returning, kring::TimeMs after) {
  kring::Engine engine = trained.copy();
  const kring::Actor moderator{"moderator", "Moderator", kring::Role::moderator};
  const char* threads[] = {"/p/ridgeline-45", "/p/scree-mid", "/p/cirrus-2", "/p/alder-fleece"};
  kring::TimeMs time = after + 3'600'000;
  for (const char* key : threads) {
    kring::Op thread{std::string("shop-thread") + key, moderator, time, 0,
                     kring::CreateThread{key, kring::ThreadKind::question, key}};
    engine.apply(thread);
  }
  ShopResult result;
  for (std::size_t i = 0; i < posts.size(); ++i) {
    time += 600'000;
    const std::string author =
        poster == Poster::newMember ? "shop-customer-" + std::to_string(i) : returning[i % returning.size()];
    kring::Op post;
    post.id = (poster == Poster::newMember ? "shop-new-" : "shop-returning-") + std::to_string(i);
    post.actor = kring::Actor{author, author.substr(0, 60), kring::Role::member};
    post.time = time;
    post.body = kring::CreatePost{threads[i % 4], "", posts[i].body};
    const kring::Outcome outcome = engine.apply(post);
    ++result.of;
    if (heldAsSpam(outcome)) {
      ++result.held;
      result.heldPosts.push_back(&posts[i]);
    }
  }
  return result;
}

void printShopRow(Review review, Poster poster, const ShopResult& result) {
  std::printf("| %s | %s | %d of %d | %.1f%% |", reviewName(review),
              poster == Poster::newMember ? "new members (TL0)" : "returning members", result.held, result.of,
              percent(result.held, result.of));
  std::string kinds;
  for (const ShopPost* post : result.heldPosts) kinds += (kinds.empty() ? " " : ", ") + post->kind;
  std::printf("%s |\n", kinds.empty() ? " none" : kinds.c_str());
}

// --- Stratified k-fold: each fold's messages held out; the model learns from the other folds in time
// order with the moderators' decisions, then is frozen, and the held-out messages are posted ---

constexpr int kFolds = 5;

// Fold of each message: spam and ham shuffled apart with the seed, then dealt round, so each fold
// has a fifth of each.
std::vector<int> assignFolds(const std::vector<Message>& messages, std::uint64_t seed) {
  std::vector<std::size_t> spam;
  std::vector<std::size_t> ham;
  for (std::size_t i = 0; i < messages.size(); ++i) (messages[i].spam ? spam : ham).push_back(i);
  std::mt19937_64 random(seed);
  std::vector<int> folds(messages.size(), 0);
  for (std::vector<std::size_t>* group : {&spam, &ham}) {
    // Fisher-Yates by hand: std::shuffle's order is not the same in every standard library.
    for (std::size_t i = group->size(); i > 1; --i) std::swap((*group)[i - 1], (*group)[random() % i]);
    for (std::size_t i = 0; i < group->size(); ++i) folds[(*group)[i]] = static_cast<int>(i % kFolds);
  }
  return folds;
}

Counts heldOutFold(const std::vector<Message>& messages, const std::vector<int>& folds, int fold, Review review) {
  Replay replay{review, true, folds, fold};
  Tally tally;
  Counts counts;
  train(messages, replay, tally, &counts);
  return counts;
}

void printFoldRow(Review review, const char* fold, const Counts& c) {
  std::printf("| %s | %s | %.1f%% (%d of %d) | %.1f%% | %.1f%% |\n", reviewName(review), fold,
              percent(c.falsePositives, c.falsePositives + c.trueNegatives), c.falsePositives,
              c.falsePositives + c.trueNegatives, percent(c.truePositives, c.truePositives + c.falseNegatives),
              percent(c.truePositives, c.truePositives + c.falsePositives));
}

void printKFold(const std::vector<Message>& messages, std::uint64_t seed) {
  const std::vector<int> folds = assignFolds(messages, seed);
  std::printf(
      "\nStratified %d-fold, seed %llu (--seed N): the whole corpus replayed in time order once per fold and\n"
      "regime; the fold's messages are posted in their place, but no moderator decides on them, so the\n"
      "model learns from the other folds only. Counted once the model has 10 decisions of each kind:\n\n",
      kFolds, static_cast<unsigned long long>(seed));
  std::printf("| moderators review | fold | ham held | recall | precision |\n|---|---|---|---|---|\n");
  for (Review review : {Review::everything, Review::heldAndVisibleSpam}) {
    Counts overall;
    for (int fold = 0; fold < kFolds; ++fold) {
      const Counts c = heldOutFold(messages, folds, fold, review);
      printFoldRow(review, std::to_string(fold + 1).c_str(), c);
      overall.truePositives += c.truePositives;
      overall.falsePositives += c.falsePositives;
      overall.falseNegatives += c.falseNegatives;
      overall.trueNegatives += c.trueNegatives;
    }
    printFoldRow(review, "all folds", overall);
  }
}

void printRow(const char* review, const char* classifier, const char* messages, const Counts& c, int refused) {
  std::printf("| %s | %s | %s | %d | %.1f%% | %.1f%% | %d of %d | %d |\n", review, classifier, messages,
              c.truePositives + c.falsePositives, percent(c.truePositives, c.truePositives + c.falsePositives),
              percent(c.truePositives, c.truePositives + c.falseNegatives), c.falsePositives,
              c.falsePositives + c.trueNegatives, refused);
}

// The floor `--check` holds the filter to, once it has learned: two points under the figures of
// docs/spam-evaluation.md, in permille (integers: the same verdict on every machine), and the honest
// posts held at most: issue 33's targets (1% with every message reviewed, 2% with post-moderation).
struct Floor {
  Review review;
  int precisionPermille;
  int recallPermille;
  int hamHeldPermilleMax;
};
constexpr Floor kFloors[] = {{Review::everything, 955, 933, 10}, {Review::heldAndVisibleSpam, 944, 927, 20}};
// Shop-like honest posts held as spam, at most (issue 33's target: 2%), in each regime and by either poster.
constexpr int kShopHamHeldPermilleMax = 20;

int permille(int part, int whole) { return whole == 0 ? 0 : static_cast<int>(1000LL * part / whole); }

struct Options {
  std::string corpus;
  std::string shopHam = KRING_SHOP_HAM;
  std::uint64_t seed = 33;
  bool check = false;
};

// The shop-like posts after the corpus, in one regime's trained site, by both kinds of poster.
std::vector<std::pair<Poster, ShopResult>> shopHam(const kring::Engine& trained, const std::vector<Message>& messages,
                                                   const std::vector<ShopPost>& posts) {
  const std::vector<std::string> returning = returningMembers(messages);
  std::vector<std::pair<Poster, ShopResult>> results;
  for (Poster poster : {Poster::newMember, Poster::returningMember}) {
    results.emplace_back(poster, postShopHam(trained, posts, poster, returning, messages.back().time));
  }
  return results;
}

// What ham learned without a moderator's click changes: regulars (senders with 3 posts that stayed
// up) granted trust level 2 by a moderator, with spamHamPostsPerDay 0 (off) and at its default.
// `learnedFrom`: where the plain post-moderation replay had learned.
void printTrusted(const std::vector<Message>& messages, const std::vector<ShopPost>& posts, std::size_t learnedFrom) {
  std::printf(
      "\nWhat if regulars were trusted (post-moderation): a sender's third post that stayed up makes a moderator\n"
      "grant trust level 2; their later posts that go up train the filter as ham (spamHamPostsPerDay) or not.\n"
      "The messages counted are those of the table's \"after 10 decisions of each kind\" row:\n\n");
  std::printf(
      "| spamHamPostsPerDay | held as spam | precision | recall | ham held | shop-like, new members | shop-like, "
      "returning members |\n|---|---|---|---|---|---|---|\n");
  for (int perDay : {0, kring::Policy{}.spamHamPostsPerDay}) {
    Replay replay{Review::heldAndVisibleSpam, true};
    replay.learnedFrom = learnedFrom;
    replay.trustAfter = 3;
    replay.hamPostsPerDay = perDay;
    Tally t;
    const kring::Engine trained = train(messages, replay, t);
    const Counts& c = t.learned;
    std::printf("| %d | %d | %.1f%% | %.1f%% | %d of %d (%.1f%%) |", perDay, c.truePositives + c.falsePositives,
                percent(c.truePositives, c.truePositives + c.falsePositives),
                percent(c.truePositives, c.truePositives + c.falseNegatives), c.falsePositives,
                c.falsePositives + c.trueNegatives, percent(c.falsePositives, c.falsePositives + c.trueNegatives));
    for (const auto& [poster, result] : shopHam(trained, messages, posts)) {
      std::printf(" %d of %d |", result.held, result.of);
    }
    std::printf("\n");
  }
}

// Shop-like honest posts held, in permille, at most: issue 33's target (2%), met in every regime.
struct ShopCeiling {
  const char* site;
  Replay replay;
  int newMembersPermille;
  int returningMembersPermille;
};

Replay trustedRegulars() {
  Replay replay{Review::heldAndVisibleSpam, true};
  replay.trustAfter = 3;
  return replay;
}

const ShopCeiling kShopCeilings[] = {
    {"every message", Replay{Review::everything, true}, 20, 20},
    {"held posts and visible spam", Replay{Review::heldAndVisibleSpam, true}, 20, 20},
    {"held posts and visible spam, regulars at TL2", trustedRegulars(), 20, 20},
};

// Evaluates with the Bayes on under both regimes and fails when a learned figure is under its floor.
int check(const std::vector<Message>& messages, const std::vector<ShopPost>& posts) {
  int failures = 0;
  for (const ShopCeiling& ceiling : kShopCeilings) {
    Tally tally;
    const kring::Engine trained = train(messages, ceiling.replay, tally);
    for (const Floor& floor : kFloors) {
      if (floor.review != ceiling.replay.review || ceiling.replay.trustAfter != 0) continue;
      const Counts c = tally.learned;
      int precision = permille(c.truePositives, c.truePositives + c.falsePositives);
      int recall = permille(c.truePositives, c.truePositives + c.falseNegatives);
      int hamHeld = permille(c.falsePositives, c.falsePositives + c.trueNegatives);
      bool ok =
          precision >= floor.precisionPermille && recall >= floor.recallPermille && hamHeld <= floor.hamHeldPermilleMax;
      std::printf("%s: precision %d‰ (floor %d‰), recall %d‰ (floor %d‰), honest held %d‰ (at most %d‰): %s\n",
                  reviewName(floor.review), precision, floor.precisionPermille, recall, floor.recallPermille, hamHeld,
                  floor.hamHeldPermilleMax, ok ? "ok" : "PAST A LIMIT");
      failures += ok ? 0 : 1;
    }
    for (const auto& [poster, result] : shopHam(trained, messages, posts)) {
      const int held = permille(result.held, result.of);
      const int most = poster == Poster::newMember ? ceiling.newMembersPermille : ceiling.returningMembersPermille;
      const bool ok = held <= most;
      std::printf("%s, shop-like honest posts by %s: held %d of %d, %d‰ (at most %d‰): %s\n", ceiling.site,
                  poster == Poster::newMember ? "new members" : "returning members", result.held, result.of, held, most,
                  ok ? "ok" : "ABOVE THE CEILING");
      failures += ok ? 0 : 1;
    }
  }
  // Rewritten spam is held within 5 points of spam as written (issue 33's target).
  const std::vector<VariantResult> results = adversarial(messages);
  const int plain = permille(results.front().held, results.front().of);
  for (std::size_t i = 1; i < results.size(); ++i) {
    const int held = permille(results[i].held, results[i].of);
    const bool ok = held >= plain - 50;
    std::printf("obfuscated spam, %s: held %d‰ (as written %d‰, floor %d‰): %s\n", results[i].name, held, plain,
                plain - 50, ok ? "ok" : "BELOW THE FLOOR");
    failures += ok ? 0 : 1;
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--check") {
      options.check = true;
    } else if (arg == "--seed" && i + 1 < argc) {
      options.seed = std::stoull(argv[++i]);
    } else if (arg == "--shop-ham" && i + 1 < argc) {
      options.shopHam = argv[++i];
    } else if (options.corpus.empty() && !arg.starts_with("--")) {
      options.corpus = arg;
    } else {
      options.corpus.clear();
      break;
    }
  }
  if (options.corpus.empty()) {
    std::cerr << "usage: kring_spam_eval spam-corpus.jsonl [--check] [--seed N] [--shop-ham shop-ham.jsonl]\n";
    return 2;
  }
  std::vector<Message> messages = readCorpus(options.corpus);
  if (messages.empty()) {
    std::cerr << "no messages in " << options.corpus << "\n";
    return 2;
  }
  const std::vector<ShopPost> posts = readShopHam(options.shopHam);
  if (posts.empty()) {
    std::cerr << "no shop-like posts in " << options.shopHam << "\n";
    return 2;
  }
  if (options.check) return check(messages, posts);
  int spam = 0;
  for (const Message& message : messages) spam += message.spam ? 1 : 0;
  std::printf("SpamAssassin public corpus: %zu messages in time order, %d spam\n\n", messages.size(), spam);
  std::printf(
      "| moderators review | classifier | messages | held as spam | precision | recall | ham held | refused |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  std::vector<std::pair<Review, std::vector<std::pair<Poster, ShopResult>>>> shop;
  std::vector<std::pair<Review, std::size_t>> modelTokens;  // what snapshots and checkpoints hold
  std::size_t postModerationLearnedFrom = 0;
  for (Review review : {Review::everything, Review::heldAndVisibleSpam}) {
    for (bool bayes : {true, false}) {
      Tally t;
      const kring::Engine trained = train(messages, review, bayes, t);
      const char* classifier = bayes ? "score + naive Bayes" : "score without Bayes";
      printRow(reviewName(review), classifier, "all", t.all, t.refused);
      if (bayes) {
        printRow(reviewName(review), classifier, "after 10 decisions of each kind", t.learned, t.refused);
        shop.emplace_back(review, shopHam(trained, messages, posts));
        modelTokens.emplace_back(review, kring::exportRecords(trained).spamTokens.size());
        if (review == Review::heldAndVisibleSpam) postModerationLearnedFrom = t.learnedFrom;
      }
    }
  }
  std::printf("\nThe model after the corpus (what snapshots and checkpoints hold):");
  for (const auto& [review, tokens] : modelTokens) std::printf(" %s %zu tokens;", reviewName(review), tokens);
  std::printf("\n");
  std::printf(
      "\nShop-like honest posts (%s, %zu written by the team): posted after the corpus into\n"
      "product threads of the site it trained, the model frozen; links to %s are the site's own:\n\n",
      options.shopHam.substr(options.shopHam.rfind('/') + 1).c_str(), posts.size(), std::string(kShopDomain).c_str());
  std::printf("| moderators review | posted by | held as spam | held | kinds held |\n|---|---|---|---|---|\n");
  for (const auto& [review, results] : shop) {
    for (const auto& [poster, result] : results) printShopRow(review, poster, result);
  }
  printTrusted(messages, posts, postModerationLearnedFrom);
  printKFold(messages, options.seed);
  printAdversarial(messages);
  return 0;
}
