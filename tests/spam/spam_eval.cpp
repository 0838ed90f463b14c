// Precision and recall of "held as spam" on the SpamAssassin corpus, learning online from
// moderator decisions in time order: each message is posted, its outcome recorded, then the
// decision a moderator would take is applied as an op (which trains the filter) before the next.
// Input: JSON lines from spam-corpus.mjs. Output: a table (docs/spam-evaluation.md).
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <span>
#include <string>
#include <vector>

#include "kring/engine.h"

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

// The rules under test are the spam score's; the stages that would hold mail for other reasons
// (new-member link limits, rate limits, duplicates) are lifted so each verdict is the filter's.
kring::Policy evaluationPolicy(Review review) {
  kring::Policy policy;
  policy.newMemberUntilTrustLevel = 0;
  policy.ratePostsTrust0 = 1'000'000;
  policy.ratePostsTrust1 = 1'000'000;
  policy.duplicateWindowHours = 0;
  // Pre-moderation puts every message before a moderator; spam_suspected still names the filter's holds.
  if (review == Review::everything) policy.preModerateBelowTrustLevel = 5;
  return policy;
}

double percent(int part, int whole) { return whole == 0 ? 0.0 : 100.0 * part / whole; }

// Posts every message in order with the moderator's decision after each, as a site would learn.
kring::Engine train(std::span<const Message> messages, Review review, bool bayes, Tally& tally) {
  kring::Policy policy = evaluationPolicy(review);
  if (!bayes) policy.spamBayesPointsPerBit = 0;
  kring::Engine engine("spam-eval", policy);
  const kring::Actor moderator{"moderator", "Moderator", kring::Role::moderator};
  int counter = 0;
  int spamDecisions = 0;
  int hamDecisions = 0;
  for (const Message& message : messages) {
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
    kring::Outcome outcome = engine.apply(post);
    if (!outcome.stored()) {
      ++tally.refused;
      continue;
    }
    bool held = outcome.status == kring::OutcomeStatus::held;
    bool heldAsSpam = held && outcome.code == kring::ReasonCode::spamSuspected;
    tally.all.add(message.spam, heldAsSpam);
    if (spamDecisions >= policy.spamBayesMinDecisions && hamDecisions >= policy.spamBayesMinDecisions) {
      tally.learned.add(message.spam, heldAsSpam);
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

Tally evaluate(const std::vector<Message>& messages, Review review, bool bayes) {
  Tally tally;
  train(messages, review, bayes, tally);
  return tally;
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

void printRow(const char* review, const char* classifier, const char* messages, const Counts& c, int refused) {
  std::printf("| %s | %s | %s | %d | %.1f%% | %.1f%% | %d of %d | %d |\n", review, classifier, messages,
              c.truePositives + c.falsePositives, percent(c.truePositives, c.truePositives + c.falsePositives),
              percent(c.truePositives, c.truePositives + c.falseNegatives), c.falsePositives,
              c.falsePositives + c.trueNegatives, refused);
}

}  // namespace

// The floor `--check` holds the filter to, once it has learned: two points under the figures of
// docs/spam-evaluation.md, in permille (integers: the same verdict on every machine).
struct Floor {
  Review review;
  int precisionPermille;
  int recallPermille;
};
constexpr Floor kFloors[] = {{Review::everything, 811, 919}, {Review::heldAndVisibleSpam, 742, 946}};

int permille(int part, int whole) { return whole == 0 ? 0 : static_cast<int>(1000LL * part / whole); }

// Evaluates with the Bayes on under both regimes and fails when a learned figure is under its floor.
int check(const std::vector<Message>& messages) {
  int failures = 0;
  for (const Floor& floor : kFloors) {
    const Counts c = evaluate(messages, floor.review, true).learned;
    int precision = permille(c.truePositives, c.truePositives + c.falsePositives);
    int recall = permille(c.truePositives, c.truePositives + c.falseNegatives);
    bool ok = precision >= floor.precisionPermille && recall >= floor.recallPermille;
    std::printf("%s: precision %d‰ (floor %d‰), recall %d‰ (floor %d‰): %s\n",
                floor.review == Review::everything ? "every message" : "held posts and visible spam", precision,
                floor.precisionPermille, recall, floor.recallPermille, ok ? "ok" : "BELOW THE FLOOR");
    failures += ok ? 0 : 1;
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

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kring_spam_eval spam-corpus.jsonl [--check]\n";
    return 2;
  }
  std::vector<Message> messages = readCorpus(argv[1]);
  if (messages.empty()) {
    std::cerr << "no messages in " << argv[1] << "\n";
    return 2;
  }
  if (argc > 2 && std::string(argv[2]) == "--check") return check(messages);
  int spam = 0;
  for (const Message& message : messages) spam += message.spam ? 1 : 0;
  std::printf("SpamAssassin public corpus: %zu messages in time order, %d spam\n\n", messages.size(), spam);
  std::printf(
      "| moderators review | classifier | messages | held as spam | precision | recall | ham held | refused |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (Review review : {Review::everything, Review::heldAndVisibleSpam}) {
    const char* reviewName = review == Review::everything ? "every message" : "held posts and visible spam";
    for (bool bayes : {true, false}) {
      Tally t = evaluate(messages, review, bayes);
      const char* classifier = bayes ? "score + naive Bayes" : "score without Bayes";
      printRow(reviewName, classifier, "all", t.all, t.refused);
      if (bayes) printRow(reviewName, classifier, "after 10 decisions of each kind", t.learned, t.refused);
    }
  }
  printAdversarial(messages);
  return 0;
}
