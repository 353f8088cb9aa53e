#include "json_output.hpp"

namespace diskimg::tool {

using json = nlohmann::ordered_json;

json to_json(const Partition& partition) {
  const bool gpt = !partition.type_guid.is_zero();
  json out = {
      {"number", partition.number},
      {"start", partition.start},
      {"size", partition.size},
      {"type", partition.type()},
      {"type_name", partition.type_name()},
      {"name", partition.name},
      {"guid", gpt ? json(partition.guid.to_string()) : json(nullptr)},
      {"bootable", partition.bootable},
      {"logical", partition.logical},
      {"extended", partition.extended},
  };
  if (gpt) out["attributes"] = partition.attributes;
  return out;
}

json to_json(const Volume& volume) {
  return {
      {"index", volume.index},
      {"source", volume.origin},
      {"partition", volume.partition ? json(*volume.partition) : json(nullptr)},
      {"offset", volume.offset},
      {"size", volume.size},
      {"filesystem", std::string(to_string(volume.filesystem))},
  };
}

json inspect_json(const Disk& disk) {
  const PartitionTable& layout = disk.layout();
  json partitions = json::array();
  for (const Partition& partition : layout.partitions) partitions.push_back(to_json(partition));
  json volumes = json::array();
  for (const Volume& volume : disk.volumes()) volumes.push_back(to_json(volume));
  return {
      {"container",
       {{"format", disk.container().format},
        {"virtual_size", disk.container().virtual_size},
        {"chain", disk.container().chain}}},
      {"sector_size", layout.sector_size},
      {"scheme", std::string(to_string(layout.scheme))},
      {"disk_id", layout.disk_id()},
      {"partitions", partitions},
      {"ldm", nullptr},
      {"volumes", volumes},
      {"warnings", disk.warnings()},
  };
}

}  // namespace diskimg::tool
