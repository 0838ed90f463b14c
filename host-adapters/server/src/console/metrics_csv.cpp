#include "console/metrics_csv.h"

#include <boost/json.hpp>

namespace kring::server {

namespace {

constexpr std::string_view kLineEnd = "\r\n";

void addRow(std::string& out, std::string_view name, std::string_view value, bool isText) {
  out += csvField(name);
  out += ',';
  out += csvField(value, isText);
  out += kLineEnd;
}

// Walks the metrics JSON, so the CSV has every value the JSON has, named by its path.
void flatten(std::string& out, const std::string& path, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object:
      for (const auto& [key, inner] : value.get_object()) {
        if (path.empty() && key == "days") continue;  // metrics-days.csv
        flatten(out, path.empty() ? std::string(key) : path + "." + std::string(key), inner);
      }
      break;
    case boost::json::kind::array: {
      std::size_t rank = 0;
      for (const boost::json::value& inner : value.get_array())
        flatten(out, path + "." + std::to_string(++rank), inner);
      break;
    }
    case boost::json::kind::string: addRow(out, path, value.get_string(), true); break;
    case boost::json::kind::null: addRow(out, path, "", false); break;
    default: addRow(out, path, boost::json::serialize(value), false); break;  // numbers and booleans
  }
}

}  // namespace

std::string csvField(std::string_view text, bool isText) {
  std::string field;
  if (isText && !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@')) field = "'";
  field += text;
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string metricsCsv(const Metrics& metrics) {
  std::string out = "metric,value";
  out += kLineEnd;
  flatten(out, "", boost::json::parse(toJson(metrics)));
  return out;
}

std::string metricsDaysCsv(const Metrics& metrics) {
  std::string out = "date,questions,answers,moderationActions,newMembers";
  out += kLineEnd;
  for (const MetricsDay& day : metrics.days) {
    out += utcDate(day.day);
    for (std::uint64_t count : {day.questions, day.answers, day.moderationActions, day.newMembers}) {
      out += ',';
      out += std::to_string(count);
    }
    out += kLineEnd;
  }
  return out;
}

}  // namespace kring::server
