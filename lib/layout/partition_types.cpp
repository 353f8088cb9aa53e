// Names of partition types, as util-linux's libfdisk names them (sfdisk prints these).
#include "layout/partition_types.hpp"

#include <array>
#include <utility>

namespace diskimg {
namespace {

constexpr std::array<std::pair<std::uint8_t, std::string_view>, 26> mbr_names{{
    {0x01, "FAT12"},
    {0x04, "FAT16 <32M"},
    {0x05, "Extended"},
    {0x06, "FAT16"},
    {0x07, "HPFS/NTFS/exFAT"},
    {0x0B, "W95 FAT32"},
    {0x0C, "W95 FAT32 (LBA)"},
    {0x0E, "W95 FAT16 (LBA)"},
    {0x0F, "W95 Ext'd (LBA)"},
    {0x11, "Hidden FAT12"},
    {0x12, "Compaq diagnostics"},
    {0x14, "Hidden FAT16 <32M"},
    {0x16, "Hidden FAT16"},
    {0x17, "Hidden HPFS/NTFS"},
    {0x1B, "Hidden W95 FAT32"},
    {0x1C, "Hidden W95 FAT32 (LBA)"},
    {0x27, "Hidden NTFS WinRE"},
    {0x42, "Windows LDM (dynamic disk)"},  // libfdisk says "SFS"; on Windows it is LDM
    {0x82, "Linux swap / Solaris"},
    {0x83, "Linux"},
    {0x85, "Linux extended"},
    {0x8E, "Linux LVM"},
    {0xA5, "FreeBSD"},
    {0xEE, "GPT"},
    {0xEF, "EFI (FAT-12/16/32)"},
    {0xFD, "Linux raid autodetect"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 19> gpt_names{{
    {"C12A7328-F81F-11D2-BA4B-00A0C93EC93B", "EFI System"},
    {"21686148-6449-6E6F-744E-656564454649", "BIOS boot"},
    {"E3C9E316-0B5C-4DB8-817D-F92DF00215AE", "Microsoft reserved"},
    {"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7", "Microsoft basic data"},
    {"5808C8AA-7E8F-42E0-85D2-E1E90434CFB3", "Microsoft LDM metadata"},
    {"AF9B60A0-1431-4F62-BC68-3311714A69AD", "Microsoft LDM data"},
    {"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC", "Windows recovery environment"},
    {"E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D", "Microsoft Storage Spaces"},
    {"0FC63DAF-8483-4772-8E79-3D69D8477DE4", "Linux filesystem"},
    {"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F", "Linux swap"},
    {"E6D6D379-F507-44C2-A23C-238F2A3DF928", "Linux LVM"},
    {"A19D880F-05FC-4D3B-A006-743F0F84911E", "Linux RAID"},
    {"933AC7E1-2EB4-4F13-B844-0E14E2AEF915", "Linux home"},
    {"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709", "Linux root (x86-64)"},
    {"BC13C2FF-59E6-4262-A352-B275FD6F7172", "Linux extended boot"},
    {"48465300-0000-11AA-AA11-00306543ECAC", "Apple HFS/HFS+"},
    {"7C3457EF-0000-11AA-AA11-00306543ECAC", "Apple APFS"},
    {"516E7CB6-6ECF-11D6-8FF8-00022D09712B", "FreeBSD UFS"},
    {"024DEE41-33E7-11D3-9D69-0008C781F39F", "MBR partition scheme"},
}};

}  // namespace

std::string_view mbr_type_name(std::uint8_t type) {
  for (const auto& [code, name] : mbr_names) {
    if (code == type) return name;
  }
  return "unknown";
}

std::string_view gpt_type_name(const Guid& type) {
  const std::string text = type.to_string();
  for (const auto& [guid, name] : gpt_names) {
    if (guid == text) return name;
  }
  return "unknown";
}

}  // namespace diskimg
