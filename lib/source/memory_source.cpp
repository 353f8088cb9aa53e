#include <diskimg/source/memory_source.hpp>

#include <algorithm>

namespace diskimg {

MemorySource::MemorySource(std::vector<std::byte> bytes, std::uint32_t sector_size,
                           std::string name)
    : bytes_(std::move(bytes)), sector_size_(sector_size), name_(std::move(name)) {}

void MemorySource::read_inside(std::uint64_t offset, std::span<std::byte> buffer) const {
  std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(offset), buffer.size(),
              buffer.begin());
}

}  // namespace diskimg
