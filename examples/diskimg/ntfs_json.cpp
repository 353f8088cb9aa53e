#include "ntfs_json.hpp"
#include "warnings.hpp"

namespace diskimg::tool {

using json = nlohmann::ordered_json;

json to_json(const ntfs::FileTimes& times);

json to_json(const ntfs::ListedEntry& entry) {
  json streams = json::array();
  for (const ntfs::StreamInfo& stream : entry.streams) {
    streams.push_back({{"name", stream.name}, {"size", stream.size}});
  }
  return {{"name", entry.name},         {"path", entry.path},
          {"record", entry.file.record}, {"sequence", entry.file.sequence},
          {"is_dir", entry.is_directory}, {"size", entry.size},
          {"streams", streams},
          {"times", to_json(entry.times)},
          {"file_attributes", ntfs::file_attribute_names(entry.file_attributes)}};
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

json to_json(const ntfs::FileTimes& times) {
  return {{"created", ntfs::filetime_to_iso8601(times.created)},
          {"modified", ntfs::filetime_to_iso8601(times.modified)},
          {"mft_changed", ntfs::filetime_to_iso8601(times.mft_changed)},
          {"accessed", ntfs::filetime_to_iso8601(times.accessed)}};
}

json to_json(const ntfs::File& file) {
  json names = json::array();
  for (const ntfs::FileName& name : file.names()) {
    names.push_back({{"name", name.name},
                     {"namespace", std::string(ntfs::to_string(name.name_space))},
                     {"parent", name.parent.record},
                     {"times", to_json(name.times)},
                     {"file_attributes", ntfs::file_attribute_names(name.file_attributes)}});
  }
  const std::optional<ntfs::StandardInformation> info = file.standard_information();
  const auto optional = [](const auto& value) { return value ? json(*value) : json(nullptr); };
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
          {"times", info ? to_json(info->times) : json(nullptr)},
          {"file_attributes", info ? json(ntfs::file_attribute_names(info->file_attributes)) : json(nullptr)},
          {"owner_id", info ? optional(info->owner_id) : json(nullptr)},
          {"security_id", info ? optional(info->security_id) : json(nullptr)},
          {"usn", info ? optional(info->usn) : json(nullptr)},
          {"names", names},
          {"attribute_list", list},
          {"attributes", attributes},
          {"warnings", messages(file.warnings)}};
}

}  // namespace diskimg::tool
