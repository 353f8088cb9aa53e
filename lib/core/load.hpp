// Copies bytes into an on-disk structure, after checking that they are there.
#pragma once

#include <diskimg/error.hpp>

#include <cstddef>
#include <cstring>
#include <span>
#include <type_traits>

namespace diskimg {

template <class Structure>
Structure load(std::span<const std::byte> bytes, std::size_t offset = 0) {
  static_assert(std::is_trivially_copyable_v<Structure>);
  if (offset > bytes.size() || bytes.size() - offset < sizeof(Structure)) {
    throw FormatError("structure of " + std::to_string(sizeof(Structure)) +
                      " bytes at offset " + std::to_string(offset) + " does not fit in " +
                      std::to_string(bytes.size()) + " bytes");
  }
  Structure value;
  std::memcpy(&value, bytes.data() + offset, sizeof(Structure));
  return value;
}

template <class Structure>
void store(const Structure& value, std::span<std::byte> bytes, std::size_t offset = 0) {
  static_assert(std::is_trivially_copyable_v<Structure>);
  if (offset > bytes.size() || bytes.size() - offset < sizeof(Structure)) {
    throw FormatError("structure of " + std::to_string(sizeof(Structure)) +
                      " bytes at offset " + std::to_string(offset) + " does not fit in " +
                      std::to_string(bytes.size()) + " bytes");
  }
  std::memcpy(bytes.data() + offset, &value, sizeof(Structure));
}

}  // namespace diskimg
