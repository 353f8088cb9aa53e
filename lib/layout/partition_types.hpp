#pragma once

#include <diskimg/core/guid.hpp>

#include <cstdint>
#include <string_view>

namespace diskimg {

std::string_view mbr_type_name(std::uint8_t type);
std::string_view gpt_type_name(const Guid& type);

}  // namespace diskimg
