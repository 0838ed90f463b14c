// kring-cli: a native client of kring-server on the C API alone (kring/kring.h), over a Boost.Beast
// WebSocket. Follows one thread: prints its posts and new ones live, and posts what it is given.
//
//   kring-cli --server ws://127.0.0.1:8080/sync --site demo --thread sku-123 [--token T]
//             [--create "Title"] [--reply-to POST_ID]        interactive: each stdin line is a post
//   kring-cli ... --post "text" --wait-for "text from other" --timeout 10   scripted: exit 0 once seen
//
// Exit codes: 0 done, 1 usage or connection, 2 the server refused (error, rejected op), 3 timed out.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "kring/kring.h"

namespace {

namespace beast = boost::beast;
namespace json = boost::json;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::string port = "8080";
  std::string path = "/sync";
  std::string site;
  std::string thread;
  std::string token;
  std::string createTitle;  // creates the thread when it does not exist yet
  std::string replyTo;
  std::optional<std::string> post;
  std::optional<std::string> waitFor;
  int timeoutSeconds = 10;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "kring-cli: " << problem << "\n"
            << "usage: kring-cli --server ws://HOST:PORT/sync --site SITE --thread KEY [--token TOKEN]\n"
            << "                 [--create TITLE] [--reply-to POST_ID] [--post TEXT] [--wait-for TEXT] [--timeout S]\n";
  std::exit(1);
}

Options parseOptions(int argc, char** argv) {
  Options options;
  std::string timeout = std::to_string(options.timeoutSeconds);
  std::string server, post, waitFor;
  const std::map<std::string, std::string*> flags = {
      {"--server", &server},       {"--site", &options.site},          {"--thread", &options.thread},
      {"--token", &options.token}, {"--create", &options.createTitle}, {"--reply-to", &options.replyTo},
      {"--post", &post},           {"--wait-for", &waitFor},           {"--timeout", &timeout}};
  for (int i = 1; i < argc; i += 2) {
    auto flag = flags.find(argv[i]);
    if (flag == flags.end()) usage(std::string("unknown option ") + argv[i]);
    if (i + 1 >= argc) usage(flag->first + " needs a value");
    *flag->second = argv[i + 1];
    if (flag->first == "--post") options.post = post;
    if (flag->first == "--wait-for") options.waitFor = waitFor;
  }
  if (!server.empty()) {
    std::smatch parts;
    if (!std::regex_match(server, parts, std::regex(R"(ws://([^:/]+)(?::(\d+))?(/.*)?)")))
      usage("--server must be ws://HOST[:PORT]/PATH");
    options.host = parts[1];
    options.port = parts[2].matched ? parts[2].str() : "80";
    options.path = parts[3].matched ? parts[3].str() : "/sync";
  }
  options.timeoutSeconds = std::stoi(timeout);
  if (options.site.empty() || options.thread.empty()) usage("--site and --thread are required");
  return options;
}

// The C API's failures, as exceptions for this program's own flow.
struct Refused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Engine = std::unique_ptr<kring_engine, decltype(&kring_engine_destroy)>;

std::string lastError(const kring_engine* engine) {
  return "status " + std::to_string(kring_last_status(engine)) + ": " + kring_last_error(engine);
}

bool textIs(const json::value& value, std::string_view text) { return value.is_string() && value.get_string() == text; }

// The role's value from its name, through the enum tables the library carries.
kring_role roleNamed(const std::string& name) {
  size_t size = 0;
  const char* tables = kring_enum_tables(&size);
  const json::array& roles = json::parse(std::string_view(tables, size)).at("role").as_array();
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (roles[i].as_string() == name) return static_cast<kring_role>(i);
  }
  return KRING_ROLE_MEMBER;
}

// Lines typed on stdin, read on their own thread so the socket keeps being served.
class StdinLines {
 public:
  StdinLines() {
    std::thread([this] {
      std::string line;
      while (std::getline(std::cin, line)) {
        std::lock_guard lock(mutex_);
        lines_.push_back(line);
      }
    }).detach();
  }
  std::optional<std::string> next() {
    std::lock_guard lock(mutex_);
    if (lines_.empty()) return std::nullopt;
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

 private:
  std::mutex mutex_;
  std::deque<std::string> lines_;
};

class Client {
 public:
  explicit Client(Options options)
      : options_(std::move(options)),
        engine_(kring_engine_create(options_.site.data(), options_.site.size()), &kring_engine_destroy),
        socket_(io_) {
    if (!engine_) throw std::runtime_error("no engine");
    std::random_device random;
    clientId_ = "kring-cli-" + std::to_string(random());
  }

  int run() {
    connect();
    hello();
    subscribe();
    if (!threadExists() && !options_.createTitle.empty()) createThread();
    if (options_.post) submitPost(*options_.post);
    if (options_.waitFor) return waitFor(*options_.waitFor);
    if (options_.post) return 0;
    return interactive();
  }

 private:
  void connect() {
    tcp::resolver resolver(io_);
    beast::get_lowest_layer(socket_).connect(resolver.resolve(options_.host, options_.port));
    socket_.handshake(options_.host + ":" + options_.port, options_.path);
    socket_.binary(true);
  }

  // Sends what an encoder returned, with its size in frameSize_ (read here, after the call wrote it:
  // passing the size as an argument of its own would race the call in C++'s evaluation order).
  void send(const uint8_t* frame) {
    if (frame == nullptr) throw Refused(lastError(engine_.get()));
    socket_.write(boost::asio::buffer(frame, frameSize_));
  }

  void hello() {
    send(kring_encode_hello(engine_.get(), options_.site.data(), options_.site.size(), options_.token.data(),
                            options_.token.size(), clientId_.data(), clientId_.size(), nullptr, 0, &frameSize_));
    json::object welcome = receiveUntil([](const json::object& message) { return message.at("type") == "welcome"; });
    const json::object& member = welcome.at("member").as_object();
    std::string id(member.at("id").as_string());
    std::string name(member.at("displayName").as_string());
    if (kring_set_actor(engine_.get(), id.data(), id.size(), name.data(), name.size(),
                        roleNamed(std::string(member.at("role").as_string()))) != KRING_OK) {
      throw Refused(lastError(engine_.get()));
    }
    std::cout << "signed in as " << name << " (" << id << ")" << std::endl;
  }

  void subscribe() {
    send(kring_encode_subscribe(engine_.get(), options_.thread.data(), options_.thread.size(), 0, &frameSize_));
    receiveUntil([&](const json::object& message) {
      return (message.at("type") == "snapshot" || message.at("type") == "events") &&
             textIs(message.at("threadKey"), options_.thread);
    });
    printNewPosts();
  }

  bool threadExists() {
    size_t size = 0;
    return kring_thread_view(engine_.get(), options_.thread.data(), options_.thread.size(), KRING_SORT_OLDEST, nullptr,
                             0, &size) != nullptr;
  }

  void createThread() {
    std::string id = nextOpId();
    submit(id, [&](const uint8_t** out, size_t* size) {
      return kring_op_create_thread(engine_.get(), id.c_str(), options_.thread.c_str(), options_.createTitle.c_str(),
                                    KRING_THREAD_KIND_DISCUSSION, nullptr, nowMs(), out, size);
    });
  }

  void submitPost(const std::string& body) {
    std::string id = nextOpId();
    submit(id, [&](const uint8_t** out, size_t* size) {
      return kring_op_post(engine_.get(), id.c_str(), options_.thread.c_str(), options_.replyTo.c_str(), body.c_str(),
                           nowMs(), out, size);
    });
  }

  // Makes an op, submits it and waits for the server's answer: its events, or its rejection.
  template <typename Make>
  void submit(const std::string& id, Make&& make) {
    const uint8_t* op = nullptr;
    size_t opSize = 0;
    if (make(&op, &opSize) != KRING_OK) throw Refused(lastError(engine_.get()));
    send(kring_encode_submit(engine_.get(), op, opSize, &frameSize_));  // op is the engine's own last output
    json::object answer = receiveUntil([&](const json::object& message) {
      if (message.at("type") == "rejected") return textIs(message.at("opId"), id);
      return message.at("type") == "events" && listed(message.at("opIds").as_array(), id);
    });
    if (answer.at("type") == "rejected") {
      throw Refused("rejected " + std::string(answer.at("code").as_string()) + ": " +
                    std::string(answer.at("message").as_string()));
    }
    printNewPosts();
  }

  int waitFor(const std::string& text) {
    const auto deadline = Clock::now() + std::chrono::seconds(options_.timeoutSeconds);
    while (!seen(text)) {
      if (!receive(deadline)) {
        std::cerr << "kring-cli: timed out waiting for \"" << text << "\"" << std::endl;
        return 3;
      }
      printNewPosts();
    }
    return 0;
  }

  int interactive() {
    StdinLines lines;
    for (;;) {
      while (std::optional<std::string> line = lines.next()) {
        if (!line->empty()) submitPost(*line);
      }
      if (receive(Clock::now() + std::chrono::milliseconds(100))) printNewPosts();
    }
  }

  // Receives until `wanted` matches a message; an error message or the deadline ends the program.
  template <typename Wanted>
  json::object receiveUntil(Wanted&& wanted) {
    const auto deadline = Clock::now() + std::chrono::seconds(options_.timeoutSeconds);
    for (;;) {
      std::optional<json::object> message = receive(deadline);
      if (!message) throw std::runtime_error("no answer from the server in time");
      if (wanted(*message)) return *message;
    }
  }

  // One server message into the replica, described; nullopt when none came before the deadline.
  std::optional<json::object> receive(Clock::time_point deadline) {
    if (!reading_) {
      reading_ = true;
      readResult_.reset();
      socket_.async_read(buffer_, [this](beast::error_code error, std::size_t) { readResult_ = error; });
    }
    while (!readResult_ && Clock::now() < deadline) {
      io_.restart();
      io_.run_one_until(deadline);
    }
    if (!readResult_) return std::nullopt;
    reading_ = false;
    if (*readResult_) throw std::runtime_error("connection closed: " + readResult_->message());
    auto data = buffer_.data();
    size_t size = 0;
    const char* text = kring_receive(engine_.get(), static_cast<const uint8_t*>(data.data()), data.size(), &size);
    buffer_.consume(buffer_.size());
    if (text == nullptr) throw Refused(lastError(engine_.get()));
    json::object message = json::parse(std::string_view(text, size)).as_object();
    if (message.at("type") == "error") {
      throw Refused("server error " + std::string(message.at("code").as_string()) + ": " +
                    std::string(message.at("message").as_string()));
    }
    return message;
  }

  // The thread's posts this program has not printed yet, in display order.
  void printNewPosts() {
    for (const json::value& post : posts()) {
      std::string id(post.at("id").as_string());
      if (!printed_.insert(id).second) continue;
      std::string indent(2 * static_cast<std::size_t>(post.at("depth").as_int64()), ' ');
      std::cout << indent << "[" << id << "] " << std::string_view(post.at("authorName").as_string()) << ": "
                << std::string_view(post.at("body").as_string()) << std::endl;
    }
  }

  bool seen(const std::string& text) {
    for (const json::value& post : posts()) {
      if (std::string_view(post.at("body").as_string()).find(text) != std::string_view::npos) return true;
    }
    return false;
  }

  json::array posts() {
    size_t size = 0;
    const char* view = kring_thread_view(engine_.get(), options_.thread.data(), options_.thread.size(),
                                         KRING_SORT_OLDEST, nullptr, 0, &size);
    if (view == nullptr) return {};  // the thread does not exist yet
    return json::parse(std::string_view(view, size)).at("posts").as_array();
  }

  static bool listed(const json::array& ids, const std::string& id) {
    for (const json::value& value : ids) {
      if (textIs(value, id)) return true;
    }
    return false;
  }

  std::string nextOpId() { return clientId_ + "-" + std::to_string(++ops_); }

  static int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  Options options_;
  Engine engine_;
  boost::asio::io_context io_;
  beast::websocket::stream<beast::tcp_stream> socket_;
  beast::flat_buffer buffer_;
  bool reading_ = false;
  std::optional<beast::error_code> readResult_;
  std::string clientId_;
  std::set<std::string> printed_;
  size_t frameSize_ = 0;
  int ops_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options options = parseOptions(argc, argv);
  if (kring_abi_version() != KRING_ABI_VERSION) {
    std::cerr << "kring-cli: built for C API " << KRING_ABI_VERSION << ", linked with " << kring_abi_version() << "\n";
    return 1;
  }
  try {
    return Client(std::move(options)).run();
  } catch (const Refused& refused) {
    std::cerr << "kring-cli: " << refused.what() << std::endl;
    return 2;
  } catch (const std::exception& failure) {
    std::cerr << "kring-cli: " << failure.what() << std::endl;
    return 1;
  }
}
