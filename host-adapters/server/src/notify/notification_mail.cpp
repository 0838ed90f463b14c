#include "notify/notification_mail.h"

#include <algorithm>

#include "kring/markdown.h"
#include "notify/outbox_statement.h"
#include "notify/unsubscribe_link.h"
#include "render/html_text.h"
#include "render/sitemap.h"

namespace kring::server {

namespace {

struct Words {
  const char* answer;        // subject: {title}
  const char* reply;         // subject: {author} … {title}
  const char* accepted;      // subject: {title}
  const char* followed;      // subject: {title}
  const char* unanswered;    // subject: {title}
  const char* queued;        // subject: {title}
  const char* wrote;         // {author} wrote:
  const char* read;          // the link to the post
  const char* becauseAsked;  // why this mail came
  const char* becausePosted;
  const char* becauseFollowed;
  const char* becauseStaff;
  const char* unsubscribeKind;  // the footer's links
  const char* unsubscribeAll;
};

constexpr Words kEnglish{"New answer to your question: ",
                         " replied to your post in ",
                         "Your answer was accepted: ",
                         "New post in ",
                         "A question waits for an answer in ",
                         "A post waits for review in ",
                         " wrote:",
                         "Read it and reply",
                         "You get this mail because you asked this question.",
                         "You get this mail because you took part in this conversation.",
                         "You get this mail because you follow this thread.",
                         "You get this mail because you answer or moderate for this community.",
                         "No more mails like this",
                         "No more mails from this community"};
constexpr Words kDutch{"Nieuw antwoord op je vraag: ",
                       " reageerde op je bericht in ",
                       "Je antwoord is geaccepteerd: ",
                       "Nieuw bericht in ",
                       "Een vraag wacht op antwoord in ",
                       "Een bericht wacht op beoordeling in ",
                       " schreef:",
                       "Lees en reageer",
                       "Je krijgt deze mail omdat je deze vraag stelde.",
                       "Je krijgt deze mail omdat je meepraatte in dit gesprek.",
                       "Je krijgt deze mail omdat je dit onderwerp volgt.",
                       "Je krijgt deze mail omdat je voor deze community antwoordt of modereert.",
                       "Geen mails meer zoals deze",
                       "Geen mails meer van deze community"};

std::string domainOf(const MailSettings& mail) { return mail.from.substr(mail.from.find('@') + 1); }

// From, to, language, date and the headers every notification carries.
MailMessage envelope(const SiteConfig& site, const std::string& email, const std::string& name,
                     const std::string& language, TimeMs now, NotificationKind kind) {
  const MailSettings& mail = *site.email;
  MailMessage message;
  message.fromAddress = mail.from;
  message.fromName = mail.fromName;
  message.toAddress = email;
  message.toName = name;
  message.language = language;
  message.dateSeconds = now / 1000;
  message.extraHeaders = {{"Auto-Submitted", "auto-generated"}, {"X-Kring-Notification", std::string(enumName(kind))}};
  return message;
}

void appendAnchor(std::string& html, const std::string& href, std::string_view text) {
  html += "<a href=\"";
  appendEscaped(html, href);
  html += "\">";
  appendEscaped(html, text);
  html += "</a>";
}

// Why the mail came and the two unsubscribe links, in both parts; closes the HTML.
void appendFooter(MailMessage& message, const Words& words, const char* because, const std::string& kindLink,
                  const std::string& allLink) {
  message.text += "\n-- \n" + std::string(because) + "\n" + words.unsubscribeKind + ": " + kindLink + "\n" +
                  words.unsubscribeAll + ": " + allLink + "\n";
  std::string& html = message.html;
  html += "<hr><p><small>";
  appendEscaped(html, because);
  html += ' ';
  appendAnchor(html, kindLink, words.unsubscribeKind);
  html += " · ";
  appendAnchor(html, allLink, words.unsubscribeAll);
  html += "</small></p></body></html>";
}

// Stable across tries: the op, the recipient and the post (none for a digest) make the mail.
std::string messageId(const SiteConfig& site, Sequence sequence, const std::string& recipient,
                      const std::string& postId) {
  return "kring." + stableHexId(site.id, std::to_string(sequence) + '\n' + recipient + '\n' + postId) + '@' +
         domainOf(*site.email);
}

}  // namespace

MailMessage notificationMail(const NotificationMailInput& input) {
  const MailSettings& mail = *input.site.email;
  const Words& words = input.language == "nl" ? kDutch : kEnglish;
  const NotificationContent& content = input.content;
  const std::string title = content.threadTitle.empty() ? input.intent.threadKey : content.threadTitle;
  const std::string domain = domainOf(mail);

  MailMessage message =
      envelope(input.site, input.recipientEmail, content.recipientName, input.language, input.now, input.intent.kind);
  switch (input.intent.kind) {
    case NotificationKind::answer: message.subject = words.answer + title; break;
    case NotificationKind::reply: message.subject = content.authorName + words.reply + title; break;
    case NotificationKind::answerAccepted: message.subject = words.accepted + title; break;
    case NotificationKind::followedThread: message.subject = words.followed + title; break;
    case NotificationKind::unansweredQuestion: message.subject = words.unanswered + title; break;
    case NotificationKind::postQueued: message.subject = words.queued + title; break;
    case NotificationKind::dailyDigest: break;  // digestMail's
  }
  const std::string site = input.site.id;
  message.messageId = messageId(input.site, input.sequence, input.intent.recipientId, input.intent.postId);
  message.inReplyTo = "kring.thread." + stableHexId(site, input.intent.threadKey) + '@' + domain;
  const std::string kindLink = unsubscribeUrl(input.site, {site, input.intent.recipientId, input.intent.kind});
  const std::string allLink = unsubscribeUrl(input.site, {site, input.intent.recipientId, std::nullopt});
  message.listUnsubscribeUrl = kindLink;

  const std::string link =
      threadPageUrl(input.site.threadPages, input.intent.threadKey) + "#kring-post-" + input.intent.postId;
  const char* because = words.becausePosted;
  switch (input.intent.kind) {
    case NotificationKind::answer: because = words.becauseAsked; break;
    case NotificationKind::followedThread: because = words.becauseFollowed; break;
    case NotificationKind::unansweredQuestion:
    case NotificationKind::postQueued:
    case NotificationKind::dailyDigest: because = words.becauseStaff; break;
    case NotificationKind::reply:
    case NotificationKind::answerAccepted: break;
  }
  message.text = content.authorName + words.wrote + "\n\n" + content.body + "\n\n" + words.read + ": " + link + "\n";
  std::string& html = message.html;
  html = "<!DOCTYPE html><html lang=\"" + input.language + "\"><body><p>";
  appendEscaped(html, content.authorName + words.wrote);
  html += "</p><blockquote>" + renderMarkdown(content.body) + "</blockquote><p>";
  appendAnchor(html, link, words.read);
  html += "</p>";
  appendFooter(message, words, because, kindLink, allLink);
  return message;
}

MailMessage burstMail(const BurstMailInput& input) {
  const Words& words = input.language == "nl" ? kDutch : kEnglish;
  const bool dutch = input.language == "nl";
  const BurstItem& first = input.items.front();
  MailMessage message = envelope(input.site, input.recipientEmail, first.content.recipientName, input.language,
                                 input.now, first.intent.kind);
  // A count after a colon: no plural to get wrong in either language.
  message.subject =
      std::string(dutch ? "Nieuwe berichten voor je: " : "New posts for you: ") + std::to_string(input.items.size());
  const std::string& site = input.site.id;
  message.messageId = "kring.burst." + stableHexId(site, input.identity) + '@' + domainOf(*input.site.email);
  const bool oneThread = std::all_of(input.items.begin(), input.items.end(), [&](const BurstItem& item) {
    return item.intent.threadKey == first.intent.threadKey;
  });
  if (oneThread) {
    message.inReplyTo = "kring.thread." + stableHexId(site, first.intent.threadKey) + '@' + domainOf(*input.site.email);
  }
  const std::string kindLink = unsubscribeUrl(input.site, {site, input.recipientId, first.intent.kind});
  const std::string allLink = unsubscribeUrl(input.site, {site, input.recipientId, std::nullopt});
  message.listUnsubscribeUrl = kindLink;
  std::string& html = message.html;
  html = "<!DOCTYPE html><html lang=\"" + input.language + "\"><body>";
  for (const BurstItem& item : input.items) {
    const std::string title = item.content.threadTitle.empty() ? item.intent.threadKey : item.content.threadTitle;
    const std::string link =
        threadPageUrl(input.site.threadPages, item.intent.threadKey) + "#kring-post-" + item.intent.postId;
    const std::string heading = item.content.authorName + " (" + title + ")" + words.wrote;
    message.text += heading + "\n\n" + item.content.body + "\n\n" + words.read + ": " + link + "\n\n";
    html += "<p>";
    appendEscaped(html, heading);
    html += "</p><blockquote>" + renderMarkdown(item.content.body) + "</blockquote><p>";
    appendAnchor(html, link, words.read);
    html += "</p>";
  }
  appendFooter(message, words,
               dutch ? "Je krijgt deze mail omdat je meepraat in deze gesprekken of ze volgt."
                     : "You get this mail because you take part in these conversations or follow them.",
               kindLink, allLink);
  return message;
}

namespace {

// Counts come after a colon: no plural to get wrong in either language.
struct DigestWords {
  const char* subject;    // The day in {site} — new posts: N, questions waiting: N
  const char* posts;      // "new posts: "
  const char* waiting;    // "questions waiting: "
  const char* lastDay;    // the first line: new posts in the last 24 hours: N
  const char* questions;  // " (questions: N)"
  const char* oldest;     // before the list
  const char* hours;      // "waiting: N h"
  const char* queued;     // "posts waiting for review in the console: N"
  const char* quiet;      // nothing waits
};

constexpr DigestWords kEnglishDigest{"The day in ",
                                     "new posts: ",
                                     "questions waiting: ",
                                     "New posts in the last 24 hours: ",
                                     "questions: ",
                                     "The questions waiting longest:",
                                     " h",
                                     "Posts waiting for review in the console: ",
                                     "Nothing is waiting."};
constexpr DigestWords kDutchDigest{"De dag in ",
                                   "nieuwe berichten: ",
                                   "wachtende vragen: ",
                                   "Nieuwe berichten in de laatste 24 uur: ",
                                   "vragen: ",
                                   "De vragen die het langst wachten:",
                                   " u",
                                   "Berichten die op beoordeling wachten in de console: ",
                                   "Er wacht niets."};

}  // namespace

MailMessage digestMail(const DigestMailInput& input) {
  const bool dutch = input.language == "nl";
  const DigestWords& words = dutch ? kDutchDigest : kEnglishDigest;
  const Words& common = dutch ? kDutch : kEnglish;
  const StaffDigest& digest = input.digest;
  const std::string site = input.site.id;
  MailMessage message = envelope(input.site, input.recipientEmail, digest.recipientName, input.language, input.now,
                                 NotificationKind::dailyDigest);
  message.subject = words.subject + site + " — " + words.posts + std::to_string(digest.posts) + ", " + words.waiting +
                    std::to_string(digest.waitingCount);
  message.messageId = messageId(input.site, input.sequence, input.recipientId, {});
  const std::string kindLink = unsubscribeUrl(input.site, {site, input.recipientId, NotificationKind::dailyDigest});
  const std::string allLink = unsubscribeUrl(input.site, {site, input.recipientId, std::nullopt});
  message.listUnsubscribeUrl = kindLink;

  const std::string summary =
      words.lastDay + std::to_string(digest.posts) + " (" + words.questions + std::to_string(digest.questions) + ").";
  std::string& text = message.text;
  std::string& html = message.html;
  text = summary + "\n\n";
  html = "<!DOCTYPE html><html lang=\"" + input.language + "\"><body><p>";
  appendEscaped(html, summary);
  html += "</p>";
  if (digest.waitingCount == 0 && digest.queued == 0) {
    text += std::string(words.quiet) + "\n";
    html += "<p>";
    appendEscaped(html, words.quiet);
    html += "</p>";
  }
  if (!digest.waiting.empty()) {
    text += std::string(words.oldest) + "\n";
    html += "<p>";
    appendEscaped(html, words.oldest);
    html += "</p><ul>";
    for (const WaitingStarter& question : digest.waiting) {
      const std::string title = question.threadTitle.empty() ? question.threadKey : question.threadTitle;
      const std::string waited =
          std::to_string((input.until - question.createdAt) / 3'600'000) + words.hours;  // whole hours
      const std::string link =
          threadPageUrl(input.site.threadPages, question.threadKey) + "#kring-post-" + question.postId;
      text += "- " + title + " (" + waited + "): " + link + "\n";
      html += "<li>";
      appendAnchor(html, link, title);
      html += " (";
      appendEscaped(html, waited);
      html += ")</li>";
    }
    html += "</ul>";
    text += "\n";
  }
  if (digest.queued > 0) {
    const std::string queued = words.queued + std::to_string(digest.queued);
    text += queued + "\n";
    html += "<p>";
    appendEscaped(html, queued);
    html += "</p>";
  }
  appendFooter(message, common, common.becauseStaff, kindLink, allLink);
  return message;
}

}  // namespace kring::server
