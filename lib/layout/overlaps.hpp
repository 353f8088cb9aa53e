// Overlapping partitions are kept (the user may still want them) but warned about.
#pragma once

#include <diskimg/layout/partition_table.hpp>

#include <string_view>

namespace diskimg {

void warn_overlaps(PartitionTable& table, std::string_view scheme_name);

}  // namespace diskimg
