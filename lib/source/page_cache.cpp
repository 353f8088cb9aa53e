#include "source/page_cache.hpp"

#include <algorithm>

namespace diskimg {

// Copies what `buffer` (at `offset`) wants of each held page from `first_page` to
// `last_page`; says which were held.
PageCache::Held PageCache::copy_held(std::uint64_t first_page, std::uint64_t last_page, std::uint64_t offset,
                                     std::span<std::byte> buffer) {
  Held held;
  const std::lock_guard lock(mutex_);
  for (Slot& slot : slots_) {
    if (slot.page < first_page || slot.page > last_page) continue;
    const std::uint64_t page = slot.page;
    const std::uint64_t start = std::max(offset, page * page_size);
    const std::uint64_t end = std::min(offset + buffer.size(), page * page_size + slot.length);
    if (start < end) {
      std::copy_n(slot.bytes.begin() + static_cast<std::ptrdiff_t>(start - page * page_size), end - start,
                  buffer.begin() + static_cast<std::ptrdiff_t>(start - offset));
    }
    slot.used = ++clock_;
    held.set(page - first_page);
  }
  return held;
}

void PageCache::keep(const std::vector<Run>& runs) {
  const std::lock_guard lock(mutex_);
  for (const Run& run : runs) {
    std::span<const std::byte> bytes = run.bytes;
    for (std::uint64_t page = run.first_page; !bytes.empty(); ++page) {
      const std::size_t length = std::min(bytes.size(), page_size);
      Slot& slot = *std::min_element(slots_.begin(), slots_.end(),
                                     [](const Slot& a, const Slot& b) { return a.used < b.used; });
      slot.page = page;
      slot.used = ++clock_;
      slot.length = length;
      slot.bytes.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
      bytes = bytes.subspan(length);
    }
  }
}

void PageCache::read(std::uint64_t offset, std::span<std::byte> buffer, std::uint64_t size, const Reader& read) {
  if (buffer.empty()) return;
  if (buffer.size() > served_read) {
    read(offset, buffer);
    return;
  }
  const bool keeping = buffer.size() <= kept_read;
  const std::uint64_t first = offset / page_size;
  const std::uint64_t last = (offset + buffer.size() - 1) / page_size;
  const Held held = copy_held(first, last, offset, buffer);
  std::vector<Run> runs;
  for (std::uint64_t page = first; page <= last;) {
    if (held[page - first]) {
      ++page;
      continue;
    }
    // A run of pages not held: read whole, or only the part wanted when not kept.
    std::uint64_t run_end = page + 1;
    while (run_end <= last && !held[run_end - first]) ++run_end;
    const std::uint64_t want_start = std::max(offset, page * page_size);
    const std::uint64_t want_end = std::min(offset + buffer.size(), run_end * page_size);
    if (keeping) {
      const std::uint64_t start = page * page_size;
      const std::uint64_t end = std::min(run_end * page_size, size);
      Run& run = runs.emplace_back(Run{page, IoBytes(static_cast<std::size_t>(end - start))});
      read(start, run.bytes);
      std::copy_n(run.bytes.begin() + static_cast<std::ptrdiff_t>(want_start - start), want_end - want_start,
                  buffer.begin() + static_cast<std::ptrdiff_t>(want_start - offset));
    } else {
      read(want_start, buffer.subspan(want_start - offset, want_end - want_start));
    }
    page = run_end;
  }
  if (!runs.empty()) keep(runs);
}

}  // namespace diskimg
