#include "core/enum_names.hpp"
#include "core/load.hpp"
#include "core/utf.hpp"
#include "ntfs/record_structures.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/file_name.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace diskimg::ntfs {

namespace {

constexpr std::array<EnumName<NameSpace>, 4> name_space_names{{
    {NameSpace::posix, "posix"},
    {NameSpace::win32, "win32"},
    {NameSpace::dos, "dos"},
    {NameSpace::win32_and_dos, "win32+dos"}}};

}  // namespace

std::string_view to_string(NameSpace name_space) {
  return name_of(name_space_names, name_space, "posix");
}

FileName parse_file_name(std::span<const std::byte> value) {
  const auto raw = load<disk::FileNameValue>(value, 0, "$FILE_NAME");
  const std::size_t units = raw.name_length;
  if ((value.size() - sizeof(disk::FileNameValue)) / 2 < units) {
    throw FormatError(fmt::format("$FILE_NAME: name of {} characters runs past the {}-byte "
                                  "value", units, value.size()), Location{"$FILE_NAME", std::nullopt});
  }
  FileName name;
  name.name_utf16 = utf16le_units(value.subspan(sizeof(disk::FileNameValue), 2 * units));
  name.name = utf16_to_utf8(name.name_utf16);
  name.name_space = static_cast<NameSpace>(raw.name_space & 0x03);
  name.parent = RecordReference::from_u64(raw.parent.value());
  name.file_attributes = Flags<FileAttribute>(raw.file_attributes.value());
  name.data_size = raw.data_size.value();
  name.times = {raw.creation_time.value(), raw.modification_time.value(), raw.change_time.value(),
                raw.access_time.value()};
  return name;
}

std::vector<std::string> file_attribute_names(Flags<FileAttribute> attributes) {
  constexpr std::array<std::pair<FileAttribute, std::string_view>, 15> known{{
      {FileAttribute::read_only, "readonly"}, {FileAttribute::hidden, "hidden"},
      {FileAttribute::system, "system"}, {FileAttribute::archive, "archive"},
      {FileAttribute::device, "device"}, {FileAttribute::normal, "normal"},
      {FileAttribute::temporary, "temporary"}, {FileAttribute::sparse_file, "sparse"},
      {FileAttribute::reparse_point, "reparse"}, {FileAttribute::compressed, "compressed"},
      {FileAttribute::offline, "offline"}, {FileAttribute::not_content_indexed, "not_content_indexed"},
      {FileAttribute::encrypted, "encrypted"}, {FileAttribute::directory, "directory"},
      {FileAttribute::index_view, "index_view"}}};
  std::vector<std::string> names;
  std::uint32_t rest = attributes.bits();
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((rest & bit) == 0) continue;
    const auto found = std::find_if(known.begin(), known.end(), [&](const auto& entry) {
      return static_cast<std::uint32_t>(entry.first) == bit;
    });
    names.push_back(found != known.end() ? std::string(found->second) : fmt::format("{:#x}", bit));
  }
  return names;
}

std::string filetime_to_iso8601(std::uint64_t filetime) {
  // The civil date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days);
  // 1601-01-01 is 134,774 days before 1970-01-01. Whole days and 100 ns ticks: no rounding.
  constexpr std::uint64_t ticks_per_second = 10'000'000;
  constexpr std::uint64_t seconds_per_day = 86'400;
  const std::uint64_t fraction = filetime % ticks_per_second;
  const std::uint64_t seconds = filetime / ticks_per_second;
  const std::uint64_t time_of_day = seconds % seconds_per_day;
  // Days since 1970-01-01 (1601-01-01 is 134,774 days before it).
  const std::int64_t days = static_cast<std::int64_t>(seconds / seconds_per_day) - 134'774;
  const std::int64_t z = days + 719'468;
  const std::int64_t era = (z >= 0 ? z : z - 146'096) / 146'097;
  const std::int64_t day_of_era = z - era * 146'097;
  const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::int64_t month_index = (5 * day_of_year + 2) / 153;
  const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z", year, month, day, time_of_day / 3600,
                     time_of_day / 60 % 60, time_of_day % 60, fraction);
}

}  // namespace diskimg::ntfs
