#include "observe/logging.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdio>
#include <string>

#include "util/clock.h"

namespace kring::server {

void logEvent(std::string_view level, std::string_view event, std::initializer_list<LogField> fields) {
  boost::json::object line;
  line["time"] = nowMilliseconds();
  line["level"] = level;
  line["event"] = event;
  for (const auto& [key, value] : fields) line[key] = value;
  std::string text = boost::json::serialize(line);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace kring::server
