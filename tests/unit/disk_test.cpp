#include "disk_builder.hpp"

#include <diskimg/disk/disk.hpp>
#include <diskimg/core/error.hpp>
#include <diskimg/source/memory_source.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <map>

using namespace diskimg;

namespace {

// blkid's verdict per partition, recorded by make_layout_fixtures.sh: "number TYPE".
std::map<unsigned, std::string> blkid_types(const std::string& name) {
  std::ifstream file(std::string(DISKIMG_FIXTURES) + "/layout/" + name + ".blkid.txt");
  std::map<unsigned, std::string> types;
  unsigned number = 0;
  std::string type;
  while (file >> number >> type) types[number] = type == "vfat" ? "fat" : type;
  return types;
}

Disk open_fixture(const std::string& name) {
  auto source = std::make_shared<MemorySource>(test::load_fixture("layout/" + name + ".img.gz"),
                                               512, name + ".img");
  return Disk::from_source(source, Container{});
}

}  // namespace

TEST_CASE("every partition that can hold a file system is a volume, sniffed as blkid does") {
  for (const std::string name : {"mbr-extended", "gpt-windows", "gpt-4k", "gpt-damaged"}) {
    CAPTURE(name);
    const Disk disk = open_fixture(name);
    const auto expected = blkid_types(name);
    REQUIRE_FALSE(expected.empty());
    std::map<unsigned, std::string> seen;
    for (const Volume& volume : disk.volumes()) {
      REQUIRE(volume.partition.has_value());
      seen[*volume.partition] = std::string(to_string(volume.filesystem));
      const Partition* partition = disk.layout().find(*volume.partition);
      REQUIRE(partition != nullptr);
      CHECK(volume.offset == partition->start);
      CHECK(volume.bytes->size() == partition->size);
    }
    // blkid also probes the extended container; it is no volume.
    auto expected_volumes = expected;
    for (const Partition& partition : disk.layout().partitions) {
      if (partition.extended) expected_volumes.erase(partition.number);
    }
    CHECK(seen == expected_volumes);
  }
}

TEST_CASE("an unpartitioned image is one volume, the whole image") {
  const Disk disk = open_fixture("bare-ntfs");
  CHECK(disk.layout().scheme == Scheme::none);
  REQUIRE(disk.volumes().size() == 1);
  CHECK(disk.volumes()[0].origin == VolumeOrigin::whole_image);
  CHECK(disk.volumes()[0].origin_name() == "whole image");
  CHECK(disk.volumes()[0].filesystem == FilesystemKind::ntfs);
  CHECK(disk.volumes()[0].size == disk.size());
}

TEST_CASE("volume numbers outside the list are a usage error naming the range") {
  const Disk disk = open_fixture("gpt-4k");
  CHECK(disk.volume(1).partition == 2u);
  CHECK_THROWS_WITH_AS(disk.volume(2), doctest::Contains("has volumes 0..1"), UsageError);
}

TEST_CASE("a partition that runs past the end of the disk is not a volume") {
  test::DiskBuilder builder(1 << 20);
  builder.mbr_entry(0, 0, 0x07, 2048, 4096).mbr_entry(0, 1, 0x07, 100, 100);
  const Disk disk = Disk::from_source(builder.source(), Container{});
  REQUIRE(disk.volumes().size() == 1);
  CHECK(disk.volumes()[0].partition == 2u);
}

TEST_CASE("several volumes of the kind asked for, none chosen: an error listing their indexes") {
  const Disk disk = open_fixture("mbr-extended");
  std::vector<unsigned> fat;
  for (const Volume& volume : disk.volumes()) {
    if (volume.filesystem == FilesystemKind::fat) fat.push_back(volume.index);
  }
  REQUIRE(fat.size() >= 2);
  try {
    (void)disk.select_volume(std::nullopt, FilesystemKind::fat);
    FAIL("no error");
  } catch (const VolumeChoiceError& error) {
    CHECK(error.candidates() == fat);
    CHECK(std::string(error.what()).find("--") == std::string::npos);  // the library's own words
  }
}
