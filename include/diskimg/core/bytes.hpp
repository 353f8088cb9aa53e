/// @file
/// Small helpers on byte buffers used across layers.
#pragma once

#include <cstddef>
#include <functional>
#include <span>

namespace diskimg {

/// True when every byte is zero. Fast (memcmp against zeros): conversion and VHD writing
/// test every chunk they copy. Never throws; safe from any thread.
bool is_all_zero(std::span<const std::byte> bytes);

/// Calls `visit(offset, run)` for each maximal run of `piece`-sized pieces of `bytes` that are
/// not all zero (the last piece may be shorter): what copiers write, leaving zeros out.
/// `piece` must not be 0. Throws only what `visit` throws; the runs before it have been
/// visited then.
void for_each_nonzero_run(std::span<const std::byte> bytes, std::size_t piece,
                          const std::function<void(std::size_t, std::span<const std::byte>)>& visit);

}  // namespace diskimg
