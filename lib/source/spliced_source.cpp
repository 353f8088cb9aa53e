#include <diskimg/core/error.hpp>
#include <diskimg/source/spliced_source.hpp>

#include <algorithm>

#include <fmt/format.h>

namespace diskimg {

SplicedSource::SplicedSource(SourcePtr base, std::uint64_t offset, SourcePtr inset)
    : base_(std::move(base)), offset_(offset), inset_(std::move(inset)) {
  if (offset_ > base_->size() || inset_->size() > base_->size() - offset_) {
    throw FormatError(fmt::format("{}: {} bytes of {} do not fit at offset {:#x} ({} bytes)", base_->name(),
                                  inset_->size(), inset_->name(), offset_, base_->size()),
                      {base_->name(), offset_});
  }
}

std::string SplicedSource::name() const { return fmt::format("{} (with {})", base_->name(), inset_->name()); }

std::uint64_t SplicedSource::next_data(std::uint64_t offset) const {
  const std::uint64_t end = offset_ + inset_->size();
  if (offset >= size()) return size();
  if (offset < offset_) {
    const std::uint64_t found = base_->next_data(offset);
    return found < offset_ ? found : next_data(offset_);
  }
  if (offset < end) {
    const std::uint64_t found = offset_ + inset_->next_data(offset - offset_);
    return found < end ? found : next_data(end);
  }
  return base_->next_data(offset);
}

void SplicedSource::will_need(std::uint64_t offset, std::uint64_t length) const {
  const std::uint64_t end = offset_ + inset_->size();
  length = std::min(length, size() - std::min(offset, size()));
  const std::uint64_t stop = offset + length;
  if (offset < offset_) base_->will_need(offset, std::min(stop, offset_) - offset);
  if (offset < end && stop > offset_) {
    const std::uint64_t from = std::max(offset, offset_);
    inset_->will_need(from - offset_, std::min(stop, end) - from);
  }
  if (stop > end) base_->will_need(std::max(offset, end), stop - std::max(offset, end));
}

void SplicedSource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  const std::uint64_t end = offset_ + inset_->size();
  while (!buffer.empty()) {
    std::size_t length = 0;
    if (offset < offset_) {
      length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), offset_ - offset));
      base_->read(offset, buffer.first(length));
    } else if (offset < end) {
      length = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), end - offset));
      inset_->read(offset - offset_, buffer.first(length));
    } else {
      length = buffer.size();
      base_->read(offset, buffer);
    }
    buffer = buffer.subspan(length);
    offset += length;
  }
}

}  // namespace diskimg
