#include "notify/notification_mail.h"

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

}  // namespace

MailMessage notificationMail(const NotificationMailInput& input) {
  const MailSettings& mail = *input.site.email;
  const Words& words = input.language == "nl" ? kDutch : kEnglish;
  const NotificationContent& content = input.content;
  const std::string title = content.threadTitle.empty() ? input.intent.threadKey : content.threadTitle;
  const std::string domain = mail.from.substr(mail.from.find('@') + 1);

  MailMessage message;
  message.fromAddress = mail.from;
  message.fromName = mail.fromName;
  message.toAddress = input.recipientEmail;
  message.toName = content.recipientName;
  message.language = input.language;
  message.dateSeconds = input.now / 1000;
  switch (input.intent.kind) {
    case NotificationKind::answer: message.subject = words.answer + title; break;
    case NotificationKind::reply: message.subject = content.authorName + words.reply + title; break;
    case NotificationKind::answerAccepted: message.subject = words.accepted + title; break;
    case NotificationKind::followedThread: message.subject = words.followed + title; break;
    case NotificationKind::unansweredQuestion: message.subject = words.unanswered + title; break;
    case NotificationKind::postQueued: message.subject = words.queued + title; break;
  }
  const std::string site = input.site.id;
  message.messageId =
      "kring." +
      stableHexId(site, std::to_string(input.sequence) + '\n' + input.intent.recipientId + '\n' + input.intent.postId) +
      '@' + domain;
  message.inReplyTo = "kring.thread." + stableHexId(site, input.intent.threadKey) + '@' + domain;
  const std::string kindLink = unsubscribeUrl(input.site, {site, input.intent.recipientId, input.intent.kind});
  const std::string allLink = unsubscribeUrl(input.site, {site, input.intent.recipientId, std::nullopt});
  message.listUnsubscribeUrl = kindLink;
  message.extraHeaders = {{"Auto-Submitted", "auto-generated"},
                          {"X-Kring-Notification", std::string(enumName(input.intent.kind))}};

  const std::string link =
      threadPageUrl(input.site.threadPages, input.intent.threadKey) + "#kring-post-" + input.intent.postId;
  const char* because = words.becausePosted;
  switch (input.intent.kind) {
    case NotificationKind::answer: because = words.becauseAsked; break;
    case NotificationKind::followedThread: because = words.becauseFollowed; break;
    case NotificationKind::unansweredQuestion:
    case NotificationKind::postQueued: because = words.becauseStaff; break;
    case NotificationKind::reply:
    case NotificationKind::answerAccepted: break;
  }
  message.text = content.authorName + words.wrote + "\n\n" + content.body + "\n\n" + words.read + ": " + link +
                 "\n\n-- \n" + because + "\n" + words.unsubscribeKind + ": " + kindLink + "\n" + words.unsubscribeAll +
                 ": " + allLink + "\n";

  std::string& html = message.html;
  auto anchor = [&html](const std::string& href, std::string_view text) {
    html += "<a href=\"";
    appendEscaped(html, href);
    html += "\">";
    appendEscaped(html, text);
    html += "</a>";
  };
  html = "<!DOCTYPE html><html lang=\"" + input.language + "\"><body><p>";
  appendEscaped(html, content.authorName + words.wrote);
  html += "</p><blockquote>" + renderMarkdown(content.body) + "</blockquote><p>";
  anchor(link, words.read);
  html += "</p><hr><p><small>";
  appendEscaped(html, because);
  html += ' ';
  anchor(kindLink, words.unsubscribeKind);
  html += " · ";
  anchor(allLink, words.unsubscribeAll);
  html += "</small></p></body></html>";
  return message;
}

}  // namespace kring::server
