// create, check and merge: VHD and VHDX images.
#include "commands.hpp"
#include "format.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/source/file_source.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/writer.hpp>
#include <diskimg/vhdx/check.hpp>
#include <diskimg/vhdx/image.hpp>
#include <diskimg/vhdx/writer.hpp>

#include <cctype>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

namespace diskimg::tool {
namespace {

struct CreateArguments {
  std::string output;
  std::string size;
  std::string format;  // by default from OUT's name (*.vhdx: vhdx-dynamic) or the parent's format
  std::string block_size;
  std::string sector_size;
  std::string parent;
};

bool named_vhdx(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".vhdx";
}

// A VHDX: asked for by --format, or OUT named *.vhdx, or a parent that is one.
bool wants_vhdx(const CreateArguments& arguments) {
  if (!arguments.parent.empty()) return vhdx::looks_like_vhdx(FileSource(arguments.parent));
  if (!arguments.format.empty()) return arguments.format.rfind("vhdx-", 0) == 0;
  return named_vhdx(arguments.output);
}

void run_create_vhdx(const CreateArguments& arguments) {
  vhdx::CreateOptions options;
  if (!arguments.parent.empty()) {
    if (!arguments.size.empty()) throw UsageError("create: a differencing disk takes its parent's size");
    options.type = vhdx::VhdxType::differencing;
    options.parent = arguments.parent;
  } else {
    if (arguments.size.empty()) throw UsageError("create: --size is required (or --parent)");
    options.size = parse_size(arguments.size);
    options.type = vhdx::parse_vhdx_type(arguments.format.empty() ? "vhdx-dynamic" : arguments.format);
    if (options.type == vhdx::VhdxType::differencing) {
      throw UsageError("create: a differencing disk is made with --parent");
    }
  }
  if (!arguments.block_size.empty()) {
    const std::uint64_t block_size = parse_size(arguments.block_size);
    if (block_size > UINT32_MAX) throw UsageError("create: block size too large");
    options.block_size = static_cast<std::uint32_t>(block_size);
  }
  if (!arguments.sector_size.empty()) {
    const std::uint64_t sector_size = parse_size(arguments.sector_size);
    if (sector_size != 512 && sector_size != 4096) throw UsageError("create: --sector-size is 512 or 4096");
    options.logical_sector_size = static_cast<std::uint32_t>(sector_size);
  }
  const auto writer = vhdx::VhdxWriter::create(arguments.output, options);
  writer->close();
  fmt::print("{}: {} of {} ({} bytes)\n", arguments.output, vhdx::to_string(writer->type()),
             human_size(writer->size()), writer->size());
}

void run_create(const CreateArguments& arguments) {
  if (wants_vhdx(arguments)) {
    run_create_vhdx(arguments);
    return;
  }
  if (!arguments.sector_size.empty() && parse_size(arguments.sector_size) != 512) {
    throw UsageError("create: a VHD has 512-byte sectors; a VHDX (vhdx-dynamic, vhdx-fixed) can have 4096");
  }
  vhd::CreateOptions options;
  if (!arguments.parent.empty()) {
    if (!arguments.size.empty()) throw UsageError("create: a differencing disk takes its parent's size");
    options.type = vhd::VhdType::differencing;
    options.parent = arguments.parent;
  } else {
    if (arguments.size.empty()) throw UsageError("create: --size is required (or --parent)");
    options.size = parse_size(arguments.size);
    options.type = vhd::parse_vhd_type(arguments.format.empty() ? "vhd-dynamic" : arguments.format);
    if (options.type == vhd::VhdType::differencing) {
      throw UsageError("create: a differencing disk is made with --parent");
    }
  }
  if (!arguments.block_size.empty()) {
    const std::uint64_t block_size = parse_size(arguments.block_size);
    if (block_size > UINT32_MAX) throw UsageError("create: block size too large");
    options.block_size = static_cast<std::uint32_t>(block_size);
  }
  const auto writer = vhd::VhdWriter::create(arguments.output, options);
  writer->sync();
  fmt::print("{}: {} of {} ({} bytes)\n", arguments.output, vhd::to_string(writer->type()),
             human_size(writer->size()), writer->size());
}

// A VHDX's problems (by its content), or a VHD's.
Warnings check_problems(const std::string& image, bool repair) {
  if (vhdx::looks_like_vhdx(FileSource(image))) {
    return (repair ? vhdx::repair_vhdx(image) : vhdx::check_vhdx(image)).problems;
  }
  return (repair ? vhd::repair_vhd(image) : vhd::check_vhd(image)).problems;
}

void run_check(const std::string& image, bool repair) {
  const Warnings problems = check_problems(image, repair);
  if (problems.empty()) {
    fmt::print("{}: ok\n", image);
    return;
  }
  for (const Warning& problem : problems) fmt::print("{}: {}\n", image, problem.what);
  exit_code = 1;
}

}  // namespace

void add_create_command(CLI::App& app) {
  auto create = std::make_shared<CreateArguments>();
  CLI::App* create_command = app.add_subcommand("create", "Create an empty or differencing VHD or VHDX");
  create_command->add_option("OUT", create->output, "the new .vhd or .vhdx (never overwritten)")->required();
  create_command->add_option("--size", create->size, "virtual size: bytes or K/M/G/T");
  create_command->add_option("--format", create->format,
                             "vhd-dynamic, vhd-fixed, vhdx-dynamic or vhdx-fixed "
                             "(default: vhdx-dynamic for OUT named *.vhdx, else vhd-dynamic)");
  create_command->add_option("--block-size", create->block_size,
                             "dynamic block size (default 2M for VHD, 32M for VHDX)");
  create_command->add_option("--sector-size", create->sector_size,
                             "logical sector size: 512 (default) or 4096 (VHDX only)");
  create_command->add_option("--parent", create->parent,
                             "make a differencing disk of PARENT (of PARENT's format)");
  create_command->callback([create] { run_create(*create); });
}

void add_check_command(CLI::App& app) {
  auto check_image = std::make_shared<std::string>();
  auto repair = std::make_shared<bool>(false);
  CLI::App* check_command = app.add_subcommand("check", "Verify a VHD's or VHDX's structures and chain");
  check_command->add_option("IMAGE", *check_image, "the .vhd or .vhdx")->required();
  check_command->add_flag("--repair", *repair,
                          "first repair what the file itself allows: a VHD's end footer that is gone or torn, "
                          "from the copy at offset 0; a VHDX's pending log, replayed into the file");
  check_command->callback([check_image, repair] { run_check(*check_image, *repair); });
}

void add_merge_command(CLI::App& app) {
  auto merge_child = std::make_shared<std::string>();
  CLI::App* merge_command = app.add_subcommand("merge", "Fold a differencing VHD or VHDX into its parent");
  merge_command->add_option("CHILD", *merge_child, "the differencing .vhd or .vhdx")->required();
  merge_command->callback([merge_child] {
    try {
      if (vhdx::looks_like_vhdx(FileSource(*merge_child))) {
        vhdx::merge_vhdx_into_parent(*merge_child);
      } else {
        vhd::merge_into_parent(*merge_child);
      }
    } catch (const FormatError& error) {
      throw FormatError(fmt::format("{}; run diskimg check on both files", error.what()), error.where());
    }
    fmt::print("{}: merged into its parent and removed\n", *merge_child);
  });
}

}  // namespace diskimg::tool
