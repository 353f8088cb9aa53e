// Copies bytes into an on-disk structure, after checking that they are there.
#pragma once

#include <diskimg/core/error.hpp>

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace diskimg {

namespace detail {
[[noreturn]] void throw_structure_does_not_fit(std::string_view what, std::size_t structure_size,
                                               std::size_t offset, std::size_t available);
}  // namespace detail

// The structure at `offset` of `bytes`. `what` names it for the error when it does not fit
// ("$INDEX_ROOT", "VMDB header"): a FormatError "WHAT of N bytes at offset O does not fit
// in M bytes" whose location's structure is `what`. Callers that know the record or where
// the bytes lie catch it and add them, as file_record.cpp's RecordPlace::fault does.
template <class Structure>
Structure load(std::span<const std::byte> bytes, std::size_t offset = 0,
               std::string_view what = "structure") {
  static_assert(std::is_trivially_copyable_v<Structure>);
  if (offset > bytes.size() || bytes.size() - offset < sizeof(Structure)) {
    detail::throw_structure_does_not_fit(what, sizeof(Structure), offset, bytes.size());
  }
  Structure value;
  std::memcpy(&value, bytes.data() + offset, sizeof(Structure));
  return value;
}

template <class Structure>
void store(const Structure& value, std::span<std::byte> bytes, std::size_t offset = 0,
           std::string_view what = "structure") {
  static_assert(std::is_trivially_copyable_v<Structure>);
  if (offset > bytes.size() || bytes.size() - offset < sizeof(Structure)) {
    detail::throw_structure_does_not_fit(what, sizeof(Structure), offset, bytes.size());
  }
  std::memcpy(bytes.data() + offset, &value, sizeof(Structure));
}

}  // namespace diskimg
