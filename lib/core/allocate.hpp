// Allocations sized from what was read: a failure names what was being read and how many
// bytes it asked for (OutOfMemoryError) instead of surfacing as a bare std::bad_alloc.
#pragma once

#include <diskimg/core/error.hpp>

#include <cstdint>
#include <new>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace diskimg {

namespace detail {
[[noreturn]] void throw_out_of_memory(std::string_view what, std::uint64_t bytes, const Location& where);
}  // namespace detail

// Runs `allocate` (a resize, reserve or read of about `bytes`, sized from the input) and
// returns what it returns. std::bad_alloc or std::length_error, or an OutOfMemoryError from
// inside it, becomes an OutOfMemoryError "WHAT: cannot allocate BYTES bytes (out of memory)"
// located at `where`.
template <class Allocate>
decltype(auto) allocating(std::string_view what, std::uint64_t bytes, const Location& where, Allocate&& allocate) {
  try {
    return std::forward<Allocate>(allocate)();
  } catch (const std::bad_alloc&) {
    detail::throw_out_of_memory(what, bytes, where);
  } catch (const std::length_error&) {
    detail::throw_out_of_memory(what, bytes, where);
  } catch (const OutOfMemoryError&) {
    detail::throw_out_of_memory(what, bytes, where);
  }
}

}  // namespace diskimg
