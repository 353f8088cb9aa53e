#include <diskimg/core/bytes.hpp>

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

void for_each_nonzero_run(std::span<const std::byte> bytes, std::size_t piece,
                          const std::function<void(std::size_t, std::span<const std::byte>)>& visit) {
  std::size_t run_start = 0;
  std::size_t run_length = 0;
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    const auto part = bytes.subspan(at, std::min(piece, bytes.size() - at));
    if (!is_all_zero(part)) {
      if (run_length == 0) run_start = at;
      run_length += part.size();
      continue;
    }
    if (run_length != 0) visit(run_start, bytes.subspan(run_start, run_length));
    run_length = 0;
  }
  if (run_length != 0) visit(run_start, bytes.subspan(run_start, run_length));
}

}  // namespace diskimg
