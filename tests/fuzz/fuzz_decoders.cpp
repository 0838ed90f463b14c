// libFuzzer target: every decoder a peer can reach, and the engine behind them. The first byte
// picks the path; the rest is the hostile input. Any crash, leak or UB report is a bug.
#include <cstddef>
#include <cstdint>

#include "kring/codec.h"
#include "kring/engine.h"
#include "kring/snapshot.h"
#include "kring/sync.h"

namespace {

kring::Engine seededEngine() {
  kring::Engine engine("fuzz");
  kring::Op op;
  op.actor = kring::Actor{"m1", "Member", kring::Role::member};
  op.time = 1000;
  op.id = "t1";
  op.body = kring::CreateThread{"t", kring::ThreadKind::question, "Q"};
  engine.apply(op);
  op.id = "p1";
  op.body = kring::CreatePost{"t", "", "question"};
  engine.apply(op);
  return engine;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  kring::ByteView bytes(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto message = kring::decodeClientMessage(bytes);
      if (message) {
        // What decodes must re-encode and decode to the same bytes.
        kring::Bytes again = kring::encodeClientMessage(message.value());
        auto second = kring::decodeClientMessage(again);
        if (!second || kring::encodeClientMessage(second.value()) != again) __builtin_trap();
        if (auto* submit = std::get_if<kring::Submit>(&message.value())) {
          kring::Engine engine = seededEngine();
          engine.apply(submit->op);
        }
      }
      break;
    }
    case 1: {
      auto op = kring::decodeOp(bytes);
      if (op) {
        kring::Engine engine = seededEngine();
        engine.apply(op.value());
        (void)kring::encodeSiteSnapshot(engine);
      }
      break;
    }
    case 2: (void)kring::decodeServerMessage(bytes); break;
    case 3: {
      kring::Engine engine = seededEngine();
      if (kring::loadThreadSnapshot(engine, bytes)) (void)engine.threadView("t", kring::SortOrder::top);
      break;
    }
    case 4: {
      auto engine = kring::restoreSiteSnapshot(bytes);
      if (engine) (void)kring::encodeSiteSnapshot(engine.value());
      break;
    }
  }
  return 0;
}
