#include <diskimg/error.hpp>
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
        parent_->name(), parent_size));
  }
}

void SliceSource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  parent_->read(offset_ + offset, buffer);
}

}  // namespace diskimg
