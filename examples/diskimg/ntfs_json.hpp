// JSON shapes of ls and stat (docs/interface.md).
#pragma once

#include <diskimg/ntfs/listing.hpp>

#include <nlohmann/json.hpp>

namespace diskimg::tool {

nlohmann::ordered_json to_json(const ntfs::ListedEntry& entry);
nlohmann::ordered_json to_json(const ntfs::File& file);
nlohmann::ordered_json to_json(const ntfs::Attribute& attribute);

}  // namespace diskimg::tool
