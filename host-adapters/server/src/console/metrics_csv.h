// The metrics as CSV for spreadsheets (docs/console.md: metrics.csv, metrics-days.csv). RFC 4180:
// comma-separated, CRLF line ends, a field quoted when it holds a comma, a quote or a line break.
#pragma once

#include <string>
#include <string_view>

#include "kring/metrics.h"

namespace kring::server {

// One CSV field. Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
// apostrophe: a member's display name is theirs to choose.
std::string csvField(std::string_view text, bool isText = true);

// "metric,value" and a row for every value of the metrics JSON except the days, named by its path:
// ratios as answerRate.count, answerRate.of, answerRate.permille; champions by rank
// (champions.1.memberId).
std::string metricsCsv(const Metrics& metrics);

// "date,questions,answers,moderationActions,newMembers" and a row per day of the window.
std::string metricsDaysCsv(const Metrics& metrics);

}  // namespace kring::server
