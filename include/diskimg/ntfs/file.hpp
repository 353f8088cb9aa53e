// A file: its base record and every attribute extent it owns, gathered from child records
// through its $ATTRIBUTE_LIST.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/attribute_list.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/ntfs/file_record.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

struct AttributeListInfo {
  bool resident = true;
  Attribute attribute;                      // the $ATTRIBUTE_LIST itself, runs and all
  std::vector<AttributeListEntry> entries;
};

struct File {
  FileRecord record;                        // the base record, with its own attributes
  std::optional<AttributeListInfo> attribute_list;
  // Every extent from the base and child records, by type, name and first VCN.
  std::vector<Attribute> attributes;
  // Child records that could not be used (unreadable, or not pointing back to this base).
  Warnings warnings;

  std::uint64_t number() const { return record.number; }
  bool is_directory() const { return record.is_directory(); }
  std::vector<FileName> names() const;
  // The extents of one attribute, in VCN order; empty when there is none.
  std::vector<const Attribute*> extents(AttributeType type, std::string_view name = {}) const;
  const Attribute* find(AttributeType type, std::string_view name = {}) const;
  // Names of the named $DATA streams (alternate data streams).
  std::vector<std::string> stream_names() const;
  // The unnamed $DATA's size, 0 when there is none (a directory).
  std::uint64_t data_size() const;
  // The best name to show: Win32 or POSIX before DOS.
  std::optional<FileName> preferred_name() const;
};

}  // namespace diskimg::ntfs
