// The JSON shapes promised in docs/interface.md.
#pragma once

#include <diskimg/disk/disk.hpp>

#include <nlohmann/json.hpp>

namespace diskimg::tool {

nlohmann::ordered_json to_json(const Partition& partition);
nlohmann::ordered_json to_json(const Volume& volume);
nlohmann::ordered_json inspect_json(const Disk& disk);

}  // namespace diskimg::tool
