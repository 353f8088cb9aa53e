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
  if (attribute.compressed()) flags.push_back("compressed");
  if (attribute.sparse()) flags.push_back("sparse");
  if (attribute.encrypted()) flags.push_back("encrypted");
  json out = {{"type", attribute.type},
              {"type_name", ntfs::attribute_type_name(attribute.type)},
              {"name", attribute.name},
              {"id", attribute.instance},
              {"record", attribute.record},
              {"resident", attribute.resident},
              {"flags", flags}};
  if (attribute.resident) {
    // The same keys as the nonresident form, so scripts need not test for them.
    out["data_size"] = attribute.value.size();
    out["allocated_size"] = attribute.value.size();
    out["initialized_size"] = attribute.value.size();
    out["start_vcn"] = 0;
    out["last_vcn"] = 0;
    out["runs"] = json::array();
    return out;
  }
  json runs = json::array();
  for (const ntfs::Run& run : attribute.runs) {
    runs.push_back({run.vcn, run.lcn ? json(*run.lcn) : json(nullptr), run.length});
  }
  out["data_size"] = attribute.data_size;
  out["allocated_size"] = attribute.allocated_size;
  out["initialized_size"] = attribute.initialized_size;
  out["start_vcn"] = attribute.first_vcn;
  // An empty nonresident attribute has highest VCN -1.
  out["last_vcn"] = attribute.last_vcn == ~std::uint64_t{0} ? json(-1) : json(attribute.last_vcn);
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
      entries.push_back({{"type", entry.type},
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
