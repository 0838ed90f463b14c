// A site frozen at one sequence, for console reads on the reader thread (console_reader.h): its
// engine copied on the io thread, its records made from that copy once, by the first read that needs them.
#pragma once

#include <mutex>

#include "kring/engine.h"
#include "kring/site_records.h"

namespace kring::server {

class SiteReadView {
 public:
  explicit SiteReadView(Engine engine) : engine_(std::move(engine)) {}
  SiteReadView(const SiteReadView&) = delete;
  SiteReadView& operator=(const SiteReadView&) = delete;

  const Engine& engine() const { return engine_; }
  Sequence lastSequence() const { return engine_.lastSequence(); }
  // Safe from any thread: made once.
  const SiteRecords& records() const {
    std::call_once(recordsMade_, [this] { records_ = exportRecords(engine_); });
    return records_;
  }

 private:
  Engine engine_;
  mutable std::once_flag recordsMade_;
  mutable SiteRecords records_;
};

}  // namespace kring::server
