#include "sync/page_frames.h"

#include "kring/thread_page.h"
#include "sync/rendered_bodies.h"

namespace kring::server {

SharedSnapshot snapshotFrames(const std::string& threadKey, Sequence sequence, ByteView snapshot,
                              const std::vector<PostRecord>& posts) {
  auto frames = std::make_shared<SnapshotFrames>();
  frames->sequence = sequence;
  for (ThreadSnapshotPart& part : splitSnapshot(threadKey, snapshot)) {
    frames->parts.push_back(frameOf(std::move(part)));
    frames->bytes += frames->parts.back()->size();
  }
  std::vector<RenderedBody> rendered = renderedBodies(posts);
  if (!rendered.empty()) {
    frames->rendered = frameOf(EventsMessage{threadKey, sequence, {}, {}, std::move(rendered)});
    frames->bytes += frames->rendered->size();
  }
  return frames;
}

SharedSnapshot pageFrames(const Engine& engine, const LoadPage& request, bool first, const Viewer& viewer) {
  Result<EncodedPage> page = encodeThreadPage(engine, request, first, viewer);
  if (!page) return nullptr;
  return snapshotFrames(request.threadKey, engine.lastSequence(), page.value().bytes, page.value().posts);
}

}  // namespace kring::server
