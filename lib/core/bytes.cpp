#include <diskimg/bytes.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace diskimg {

bool is_all_zero(std::span<const std::byte> bytes) {
  static const std::array<std::byte, 4096> zeros{};
  while (!bytes.empty()) {
    const std::size_t piece = std::min(bytes.size(), zeros.size());
    if (std::memcmp(bytes.data(), zeros.data(), piece) != 0) return false;
    bytes = bytes.subspan(piece);
  }
  return true;
}

}  // namespace diskimg
