#include "ntfs_json.hpp"
#include "warnings.hpp"

namespace diskimg::tool {

using json = nlohmann::ordered_json;

json to_json(const ntfs::ListedEntry& entry) {
  json streams = json::array();
  for (const ntfs::StreamInfo& stream : entry.streams) {
    streams.push_back({{"name", stream.name}, {"size", stream.size}});
  }
  return {{"name", entry.name},         {"path", entry.path},
          {"record", entry.file.record}, {"sequence", entry.file.sequence},
          {"is_dir", entry.is_directory}, {"size", entry.size},
          {"streams", streams}};
}

json to_json(const ntfs::Attribute& attribute) {
  json flags = json::array();
  for (const std::string_view flag : attribute.flag_names()) flags.push_back(flag);
  json out = {{"type", ntfs::type_code(attribute.type)},
              {"type_name", ntfs::attribute_type_name(attribute.type)},
              {"name", attribute.name},
              {"id", attribute.instance},
              {"record", attribute.record},
              {"resident", attribute.resident},
              {"flags", flags}};
  // A resident attribute has the same keys as a nonresident one, so scripts need not test.
  out["data_size"] = attribute.size();
  out["allocated_size"] = attribute.allocated();
  out["initialized_size"] = attribute.initialized();
  out["start_vcn"] = attribute.first_vcn;
  out["last_vcn"] = attribute.signed_last_vcn();
  if (attribute.resident) {
    out["runs"] = json::array();
    return out;
  }
  json runs = json::array();
  for (const ntfs::Run& run : attribute.runs) {
    runs.push_back({run.vcn, run.lcn ? json(*run.lcn) : json(nullptr), run.length});
  }
  out["compression_unit"] = attribute.compression_unit;
  out["runs"] = runs;
  return out;
}

json to_json(const ntfs::File& file) {
  json names = json::array();
  for (const ntfs::FileName& name : file.names()) {
    names.push_back({{"name", name.name},
                     {"namespace", std::string(ntfs::to_string(name.name_space))},
                     {"parent", name.parent.record}});
  }
  json list = nullptr;
  if (file.attribute_list) {
    json entries = json::array();
    for (const ntfs::AttributeListEntry& entry : file.attribute_list->entries) {
      entries.push_back({{"type", ntfs::type_code(entry.type)},
                         {"type_name", ntfs::attribute_type_name(entry.type)},
                         {"name", entry.name},
                         {"start_vcn", entry.first_vcn},
                         {"record", entry.record.record},
                         {"id", entry.instance}});
    }
    list = {{"resident", file.attribute_list->resident},
            {"size", file.attribute_list->attribute.size()},
            {"entries", entries}};
  }
  json attributes = json::array();
  for (const ntfs::Attribute& attribute : file.attributes) attributes.push_back(to_json(attribute));
  const ntfs::FileRecord& record = file.record;
  return {{"record", record.number},
          {"sequence", record.sequence},
          {"base_record", record.base.record},
          {"in_use", record.in_use()},
          {"is_dir", record.is_directory()},
          {"link_count", record.link_count},
          {"names", names},
          {"attribute_list", list},
          {"attributes", attributes},
          {"warnings", messages(file.warnings)}};
}

}  // namespace diskimg::tool
