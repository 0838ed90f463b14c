#include "notify/preferences_page.h"

#include <algorithm>
#include <iterator>

#include "http/query_string.h"
#include "kring/names.h"
#include "render/html_text.h"

namespace kring::server {

namespace {

// Each text in English, then Dutch (the mails' informal "je").
struct PageWords {
  const char* english;
  const char* dutch;
};

constexpr PageWords kPageSays[] = {
    {"Too many requests; try again later.", "Te veel verzoeken; probeer het later opnieuw."},
    {"This unsubscribe link is not valid.", "Deze afmeldlink is niet geldig."},
    {"Stop these mails? Press the button to unsubscribe.", "Deze mails stoppen? Druk op de knop om je af te melden."},
    {"Try again later.", "Probeer het later opnieuw."},
    {"Choose what we mail you, or stop it all.", "Kies wat we je mailen, of stop alles."},
    {"That form is not one we sent.", "Dat formulier komt niet van ons."},
    {"Saved: we mail you as you chose.", "Opgeslagen: we mailen je zoals je koos."},
    {"You are unsubscribed.", "Je bent afgemeld."},
    {"That did not work; try again later.", "Dat lukte niet; probeer het later opnieuw."},
};
static_assert(std::size(kPageSays) == static_cast<std::size_t>(PageSays::failed) + 1, "a text for each PageSays");
// Readable on a phone and in dark mode; the page has no script (its CSP allows none).
constexpr const char* kStyle =
    ":root{color-scheme:light dark}body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;"
    "padding:0 1rem}fieldset{border:1px solid GrayText;border-radius:6px;margin:0 0 1rem}"
    "label{display:inline-block;margin:.25rem 1rem .25rem 0}button{font:inherit;padding:.4rem 1rem}";
constexpr PageWords kTitle{"Mail settings", "Mailinstellingen"};
constexpr PageWords kUnsubscribe{"Unsubscribe", "Afmelden"};
constexpr PageWords kStopAll{"Stop all mail", "Alle mail stoppen"};  // beside the form: it stops every kind
constexpr PageWords kSave{"Save", "Opslaan"};

// The kinds the form offers, in its order.
struct PageKind {
  NotificationKind kind;
  PageWords label;
  bool daily;  // may come once a day, with the others
};
constexpr PageKind kPageKinds[] = {
    {NotificationKind::answer, {"Answers to your questions", "Antwoorden op je vragen"}, true},
    {NotificationKind::reply, {"Replies to your posts", "Reacties op je berichten"}, true},
    {NotificationKind::answerAccepted, {"Your answers accepted", "Je geaccepteerde antwoorden"}, true},
    {NotificationKind::followedThread,
     {"New posts in threads you follow", "Nieuwe berichten in gesprekken die je volgt"},
     true},
    {NotificationKind::unansweredQuestion,
     {"Questions waiting for an answer (staff)", "Vragen die op een antwoord wachten (medewerkers)"},
     true},
    {NotificationKind::postQueued,
     {"Posts waiting for review (moderators)", "Berichten die op beoordeling wachten (moderators)"},
     true},
    {NotificationKind::dailyDigest, {"The community's day (staff)", "De dag van de community (medewerkers)"}, false},
};
struct PageChoice {
  const char* value;
  PageWords text;
};
constexpr PageChoice kPageChoices[] = {
    {"instant", {"At once", "Direct"}}, {"daily", {"Once a day", "Eens per dag"}}, {"off", {"Never", "Nooit"}}};

const char* text(bool dutch, const PageWords& words) { return dutch ? words.dutch : words.english; }

}  // namespace

PreferencesPage PreferencesPage::of(const std::optional<StoredContact>& contact, const std::string& siteLanguage) {
  return PreferencesPage{mailLanguage(contact, siteLanguage) == "nl"};
}

std::string PreferencesPage::html(PageSays says, std::string_view target, bool button, const std::string& form) const {
  std::string page = std::string("<!DOCTYPE html><html lang=\"") + (dutch ? "nl" : "en") +
                     "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                     "content=\"width=device-width\"><title>" +
                     text(dutch, kTitle) + "</title><style>" + kStyle + "</style></head><body><main><h1>" +
                     text(dutch, kTitle) + "</h1><p>";
  appendEscaped(page, text(dutch, kPageSays[static_cast<int>(says)]));
  page += "</p>" + form;
  if (button) {
    page += "<form method=\"post\" action=\"";
    appendEscaped(page, target);
    page += "\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\"><button>";
    page += text(dutch, form.empty() ? kUnsubscribe : kStopAll);
    page += "</button></form>";
  }
  page += "</main></body></html>";
  return page;
}

std::string PreferencesPage::form(std::string_view target, const StoredContact& taken) const {
  std::string html = "<form method=\"post\" action=\"";
  appendEscaped(html, target);
  html += "\">";
  for (const PageKind& offered : kPageKinds) {
    const int bit = static_cast<int>(offered.kind);
    const std::string name(enumName(offered.kind));
    const std::string_view chosen = !taken.wants(bit) ? "off" : taken.wantsDaily(bit) ? "daily" : "instant";
    html += "<fieldset><legend>";
    appendEscaped(html, text(dutch, offered.label));
    html += "</legend>";
    for (const PageChoice& choice : kPageChoices) {
      const std::string_view value = choice.value;
      if (value == "daily" && !offered.daily) continue;
      html += "<label><input type=\"radio\" name=\"" + name + "\" value=\"" + std::string(value) + "\"";
      if (value == chosen) html += " checked";
      html += "> " + std::string(text(dutch, choice.text)) + "</label> ";
    }
    html += "</fieldset>";
  }
  html += "<button name=\"save\" value=\"1\">" + std::string(text(dutch, kSave)) + "</button></form>";
  return html;
}

std::optional<MailChoices> readChoices(const Unsubscribe& link, std::string_view body) {
  std::optional<QueryParameters> fields = parseQuery("?" + std::string(body));
  if (!fields) return std::nullopt;
  MailChoices choices{link.siteId, link.memberId, 0, 0, 0};
  for (const auto& [name, value] : *fields) {
    if (name == "save") continue;
    std::optional<NotificationKind> kind = parseEnum<NotificationKind>(name);
    const auto offered = std::find_if(std::begin(kPageKinds), std::end(kPageKinds),
                                      [&](const PageKind& o) { return kind && o.kind == *kind; });
    if (offered == std::end(kPageKinds)) return std::nullopt;
    const std::uint32_t bit = std::uint32_t{1} << static_cast<int>(*kind);
    choices.chosen |= bit;
    if (value == "off") {
      choices.off |= bit;
    } else if (value == "daily" && offered->daily) {
      choices.daily |= bit;
    } else if (value != "instant") {
      return std::nullopt;
    }
  }
  return choices;
}

}  // namespace kring::server
