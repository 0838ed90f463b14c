// Internal: conversion between the core's records and their Cap'n Proto form, and safe message reading.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <string>

#include "kring/op.h"
#include "kring/outcome.h"
#include "kring/policy.h"
#include "kring/reason.h"
#include "kring/records.h"
#include "kring/schema/kring.capnp.h"

namespace kring::wire_convert {

inline capnp::Text::Reader text(const std::string& value) { return capnp::Text::Reader(value.data(), value.size()); }
inline std::string string(capnp::Text::Reader value) { return std::string(value.begin(), value.size()); }

// Reads an enum, refusing values the schema does not define (hostile or newer peers). Both sides
// come from the schema: the wire enum from capnp, the core's from enum_tables.cmake.
template <typename Target, typename WireEnum>
bool readEnum(WireEnum value, Target& out) {
  auto raw = static_cast<std::uint16_t>(value);
  if (raw > static_cast<std::uint16_t>(EnumTable<Target>::last)) return false;
  out = static_cast<Target>(raw);
  return true;
}

template <typename WireEnum, typename Source>
WireEnum writeEnum(Source value) {
  return static_cast<WireEnum>(static_cast<std::uint16_t>(value));
}

void write(wire::MemberRecord::Builder out, const MemberRecord& in);
void write(wire::ThreadRecord::Builder out, const ThreadRecord& in);
void write(wire::PostRecord::Builder out, const PostRecord& in);

// The rules' parts of members and posts (wire_rules.cpp). Events and thread snapshots leave them
// out; absent, they read back as the defaults.
void writeStanding(wire::MemberRecord::Builder record, const MemberStanding& in);
void readStanding(wire::MemberRecord::Reader record, MemberStanding& out);
void writeLedger(wire::PostRecord::Builder record, const PostLedger& in);
bool readLedger(wire::PostRecord::Reader record, PostLedger& out);  // false when a value is out of range

void write(wire::Policy::Builder out, const Policy& in);
void write(wire::AuditRecord::Builder out, const AuditRecord& in);

// Each returns false when an enum is out of range.
bool read(wire::MemberRecord::Reader in, MemberRecord& out);
bool read(wire::ThreadRecord::Reader in, ThreadRecord& out);
bool read(wire::PostRecord::Reader in, PostRecord& out);
bool read(wire::AuditRecord::Reader in, AuditRecord& out);
// Also false for an unknown setting name; ranges are checked by validatePolicy.
bool read(wire::Policy::Reader in, Policy& out);

// First segment of small messages (ops, outcomes, sync frames). Any fixed size keeps the bytes
// platform-independent; this one fits a typical message without wasting a page.
constexpr unsigned kFirstSegmentWords = 128;

Bytes toBytes(capnp::MessageBuilder& message);

// Ops travel alone and inside the sync protocol's Submit.
void writeOp(wire::Op::Builder out, const Op& op);
Result<Op> readOp(wire::Op::Reader in);

// Events travel in outcomes and in the sync protocol's Events message.
void writeEvent(wire::Event::Builder out, const Event& event);
bool readEvent(wire::Event::Reader in, Event& out);  // false when a value is out of range

// Runs `read(reader)` on a message held in `bytes`. Any decoding fault (bad framing,
// out-of-bounds pointers, trailing bytes, a thrown kj exception) becomes an Error with `code`.
template <typename Fn>
auto readMessage(ByteView bytes, ReasonCode code, std::size_t maxBytes, Fn&& read)
    -> decltype(read(std::declval<capnp::MessageReader&>())) {
  auto fail = [code](std::string why) { return Error{code, std::move(why)}; };
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return fail("The message is not a whole number of words.");
  if (bytes.size() > maxBytes) return fail("The message is larger than " + std::to_string(maxBytes) + " bytes.");
  // Cap'n Proto reads words in place; only unaligned input needs a copy.
  kj::Array<capnp::word> copy;
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), bytes.size() / sizeof(capnp::word));
  } else {
    copy = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
    std::memcpy(copy.begin(), bytes.data(), bytes.size());
    words = copy;
  }
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words.size() * 4;
    options.nestingLimit = 16;
    capnp::FlatArrayMessageReader reader(words, options);
    if (reader.getEnd() != words.end()) return fail("The message has trailing bytes.");
    return read(reader);
  } catch (const kj::Exception& exception) {
    return fail("The message could not be decoded.");
  }
}

}  // namespace kring::wire_convert
