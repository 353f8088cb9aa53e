#include <diskimg/core/error.hpp>
#include <diskimg/source/slice_source.hpp>

#include <fmt/format.h>

namespace diskimg {

SliceSource::SliceSource(SourcePtr parent, std::uint64_t offset, std::uint64_t size,
                         std::string name)
    : parent_(std::move(parent)), offset_(offset), size_(size), name_(std::move(name)) {
  const std::uint64_t parent_size = parent_->size();
  if (offset > parent_size || size > parent_size - offset) {
    throw FormatError(fmt::format(
        "{}: range {:#x}+{:#x} does not fit inside {} ({} bytes)", name_, offset, size,
        parent_->name(), parent_size), {parent_->name(), offset});
  }
}

void SliceSource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  parent_->read(offset_ + offset, buffer);
}

}  // namespace diskimg

namespace diskimg {

std::uint64_t SliceSource::next_data(std::uint64_t offset) const {
  if (offset >= size_) return size_;
  return std::min(parent_->next_data(offset_ + offset) - offset_, size_);
}

std::uint64_t SliceSource::next_hole(std::uint64_t offset) const {
  if (offset >= size_) return size_;
  return std::min(parent_->next_hole(offset_ + offset) - offset_, size_);
}

void SliceSource::will_need(std::uint64_t offset, std::uint64_t length) const {
  if (offset >= size_) return;
  parent_->will_need(offset_ + offset, std::min(length, size_ - offset));
}

}  // namespace diskimg
