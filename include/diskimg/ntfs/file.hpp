/// @file
/// A file: its base record and every attribute extent it owns, gathered from child records
/// through its $ATTRIBUTE_LIST.
#pragma once

#include <diskimg/core/error.hpp>
#include <diskimg/ntfs/attribute_list.hpp>
#include <diskimg/ntfs/file_name.hpp>
#include <diskimg/ntfs/file_record.hpp>
#include <diskimg/ntfs/standard_information.hpp>

#include <optional>
#include <string_view>
#include <vector>

namespace diskimg::ntfs {

/// A file's $ATTRIBUTE_LIST: the attribute and its parsed entries.
struct AttributeListInfo {
  bool resident = true;                     ///< the list lies in the base record itself
  Attribute attribute;                      ///< the $ATTRIBUTE_LIST itself, runs and all
  std::vector<AttributeListEntry> entries;  ///< in list order
};

/// A file as Volume::read_file gathers it: a plain value holding copies of its records'
/// attributes, usable after the volume is gone. Nothing of it reads the volume or throws a
/// diskimg::Error.
struct File {
  /// The base record's header; its attributes are moved to `attributes`, so
  /// `record.attributes` is empty.
  FileRecord record;
  std::optional<AttributeListInfo> attribute_list;  ///< when the file has one
  /// Every extent from the base and child records, by type, name and first VCN.
  std::vector<Attribute> attributes;
  /// Child records that could not be used (unreadable, or not pointing back to this base).
  Warnings warnings;

  /// The base record's number.
  std::uint64_t number() const { return record.number; }
  /// Whether the file is a directory (its record holds a $I30 index).
  bool is_directory() const { return record.is_directory(); }
  /// Every $FILE_NAME (hard links, DOS aliases), in attribute order; a malformed one is
  /// left out.
  std::vector<FileName> names() const;
  /// The extents of one attribute, in VCN order; empty when there is none. The pointers
  /// are valid while `attributes` is not changed.
  std::vector<const Attribute*> extents(AttributeType type, std::string_view name = {}) const;
  /// The first extent of one attribute (the one with its sizes), or nullptr.
  const Attribute* find(AttributeType type, std::string_view name = {}) const;
  /// Names of the named $DATA streams (alternate data streams).
  std::vector<std::string> stream_names() const;
  /// The unnamed $DATA's size, 0 when there is none (a directory).
  std::uint64_t data_size() const;
  /// The best name to show: Win32 or POSIX before DOS.
  std::optional<FileName> preferred_name() const;
  /// The $STANDARD_INFORMATION (times, file attributes, owner, security id, USN); nothing
  /// when the record has none or it is nonresident or malformed.
  std::optional<StandardInformation> standard_information() const;
};

}  // namespace diskimg::ntfs
