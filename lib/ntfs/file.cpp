#include <diskimg/ntfs/file.hpp>

#include <algorithm>

namespace diskimg::ntfs {

std::vector<FileName> File::names() const {
  std::vector<FileName> names;
  for (const Attribute& attribute : attributes) {
    if (attribute.type != AttributeType::file_name || !attribute.resident) continue;
    try {
      names.push_back(parse_file_name(attribute.value));
    } catch (const std::exception&) {
      // A broken name is skipped here; the record itself stays readable.
    }
  }
  return names;
}

std::vector<const Attribute*> File::extents(AttributeType type, std::string_view name) const {
  std::vector<const Attribute*> found;
  for (const Attribute& attribute : attributes) {
    if (attribute.type == type && attribute.name == name) found.push_back(&attribute);
  }
  std::stable_sort(found.begin(), found.end(), [](const Attribute* a, const Attribute* b) {
    return a->first_vcn < b->first_vcn;
  });
  return found;
}

const Attribute* File::find(AttributeType type, std::string_view name) const {
  const auto found = extents(type, name);
  return found.empty() ? nullptr : found.front();
}

std::vector<std::string> File::stream_names() const {
  std::vector<std::string> names;
  for (const Attribute& attribute : attributes) {
    if (attribute.type != AttributeType::data || attribute.name.empty()) continue;
    if (std::find(names.begin(), names.end(), attribute.name) == names.end()) {
      names.push_back(attribute.name);
    }
  }
  return names;
}

std::uint64_t File::data_size() const {
  const Attribute* data = find(AttributeType::data);
  return data == nullptr ? 0 : data->size();
}

std::optional<FileName> File::preferred_name() const {
  std::vector<FileName> all = names();
  if (all.empty()) return std::nullopt;
  const auto best = std::find_if(all.begin(), all.end(), [](const FileName& name) {
    return name.name_space != NameSpace::dos;
  });
  return best != all.end() ? *best : all.front();
}

std::optional<StandardInformation> File::standard_information() const {
  const Attribute* attribute = find(AttributeType::standard_information);
  if (!attribute || !attribute->resident) return std::nullopt;
  try {
    return parse_standard_information(attribute->value);
  } catch (const FormatError&) {
    return std::nullopt;
  }
}

}  // namespace diskimg::ntfs
