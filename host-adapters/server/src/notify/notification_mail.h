// The mail a notification becomes: subject, text and HTML in the member's language (English or
// Dutch), threading headers so a thread's mails group, a link to the post and one-click unsubscribe.
// Pure: the delivery reads the content (kring/notifications.h) and sends what this returns.
#pragma once

#include <string>
#include <vector>

#include "auth/site_config.h"
#include "kring/notifications.h"
#include "notify/mail_message.h"

namespace kring::server {

struct NotificationMailInput {
  const SiteConfig& site;  // with email settings
  const NotificationIntent& intent;
  const NotificationContent& content;
  Sequence sequence = 0;  // the op's: with the recipient and post, the mail's identity
  std::string recipientEmail;
  std::string language;  // "en" or "nl"
  TimeMs now = 0;
};

MailMessage notificationMail(const NotificationMailInput& input);

// Several notifications of one member that are due together (a reply storm, or what waited for the
// member's hourly cap): one mail that quotes each post with its link.
struct BurstItem {
  NotificationIntent intent;
  NotificationContent content;
};
struct BurstMailInput {
  const SiteConfig& site;  // with email settings
  const std::string& recipientId;
  const std::vector<BurstItem>& items;  // two or more, in the order they came
  std::string identity;                 // the rows it carries: with the site, the mail's identity
  std::string recipientEmail;
  std::string language;  // "en" or "nl"
  TimeMs now = 0;
};

MailMessage burstMail(const BurstMailInput& input);

// The staff's daily digest (kring/notifications.h, staffDigest): the day's counts, the questions
// waiting longest with links to them, the review queue.
struct DigestMailInput {
  const SiteConfig& site;  // with email settings
  const std::string& recipientId;
  const StaffDigest& digest;
  Sequence sequence = 0;  // the CheckAlerts op's: with the recipient, the mail's identity
  TimeMs until = 0;       // the op's time: the digest's day ends there
  std::string recipientEmail;
  std::string language;  // "en" or "nl"
  TimeMs now = 0;
};

MailMessage digestMail(const DigestMailInput& input);

}  // namespace kring::server
