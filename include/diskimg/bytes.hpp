// Small helpers on byte buffers used across layers.
#pragma once

#include <cstddef>
#include <span>

namespace diskimg {

// True when every byte is zero. Fast (memcmp against zeros): conversion and VHD writing
// test every chunk they copy.
bool is_all_zero(std::span<const std::byte> bytes);

}  // namespace diskimg
