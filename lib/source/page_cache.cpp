#include "source/page_cache.hpp"

#include <algorithm>

namespace diskimg {

// Copies what `buffer` (at `offset`) wants of `page` when the page is held.
bool PageCache::copy_held(std::uint64_t page, std::uint64_t offset, std::span<std::byte> buffer) {
  const std::lock_guard lock(mutex_);
  for (Slot& slot : slots_) {
    if (slot.page != page) continue;
    const std::uint64_t start = std::max(offset, page * page_size);
    const std::uint64_t end = std::min(offset + buffer.size(), page * page_size + slot.length);
    std::copy_n(slot.bytes.begin() + static_cast<std::ptrdiff_t>(start - page * page_size), end - start,
                buffer.begin() + static_cast<std::ptrdiff_t>(start - offset));
    slot.used = ++clock_;
    return true;
  }
  return false;
}

void PageCache::keep(std::uint64_t first_page, std::span<const std::byte> bytes) {
  const std::lock_guard lock(mutex_);
  for (std::uint64_t page = first_page; !bytes.empty(); ++page) {
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

void PageCache::read(std::uint64_t offset, std::span<std::byte> buffer, std::uint64_t size, const Reader& read) {
  if (buffer.empty()) return;
  const bool keeping = buffer.size() <= kept_read;
  const std::uint64_t last = (offset + buffer.size() - 1) / page_size;
  std::uint64_t page = offset / page_size;
  while (page <= last) {
    if (copy_held(page, offset, buffer)) {
      ++page;
      continue;
    }
    // A run of pages not held: read whole, or only the part wanted when not kept.
    std::uint64_t run_end = page + 1;
    while (run_end <= last && !copy_held(run_end, offset, buffer)) ++run_end;
    const std::uint64_t want_start = std::max(offset, page * page_size);
    const std::uint64_t want_end = std::min(offset + buffer.size(), run_end * page_size);
    if (keeping) {
      const std::uint64_t start = page * page_size;
      const std::uint64_t end = std::min(run_end * page_size, size);
      std::vector<std::byte> whole(end - start);
      read(start, whole);
      std::copy_n(whole.begin() + static_cast<std::ptrdiff_t>(want_start - start), want_end - want_start,
                  buffer.begin() + static_cast<std::ptrdiff_t>(want_start - offset));
      keep(page, whole);
    } else {
      read(want_start, buffer.subspan(want_start - offset, want_end - want_start));
    }
    page = run_end + 1;  // the page after the run was held (and copied) or is past the end
  }
}

}  // namespace diskimg
