// create, check and merge: VHD images.
#include "commands.hpp"
#include "format.hpp"

#include <diskimg/core/error.hpp>
#include <diskimg/vhd/check.hpp>
#include <diskimg/vhd/writer.hpp>

#include <iostream>

#include <fmt/format.h>

namespace diskimg::tool {
namespace {

struct CreateArguments {
  std::string output;
  std::string size;
  std::string format = "vhd-dynamic";
  std::string block_size;
  std::string parent;
};

void run_create(const CreateArguments& arguments) {
  vhd::CreateOptions options;
  if (!arguments.parent.empty()) {
    if (!arguments.size.empty()) throw UsageError("create: a differencing disk takes its parent's size");
    options.type = vhd::VhdType::differencing;
    options.parent = arguments.parent;
  } else {
    if (arguments.size.empty()) throw UsageError("create: --size is required (or --parent)");
    options.size = parse_size(arguments.size);
    options.type = vhd::parse_vhd_type(arguments.format);
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

void run_check(const std::string& image, bool repair) {
  const vhd::CheckReport report = repair ? vhd::repair_vhd(image) : vhd::check_vhd(image);
  if (report.ok()) {
    fmt::print("{}: ok\n", image);
    return;
  }
  for (const Warning& problem : report.problems) fmt::print("{}: {}\n", image, problem.what);
  exit_code = 1;
}

}  // namespace

void add_vhd_commands(CLI::App& app) {
  auto create = std::make_shared<CreateArguments>();
  CLI::App* create_command = app.add_subcommand("create", "Create an empty or differencing VHD");
  create_command->add_option("OUT", create->output, "the new .vhd (never overwritten)")->required();
  create_command->add_option("--size", create->size, "virtual size: bytes or K/M/G/T");
  create_command->add_option("--format", create->format, "vhd-dynamic (default) or vhd-fixed");
  create_command->add_option("--block-size", create->block_size, "dynamic block size (default 2M)");
  create_command->add_option("--parent", create->parent, "make a differencing disk of PARENT");
  create_command->callback([create] { run_create(*create); });

  auto check_image = std::make_shared<std::string>();
  auto repair = std::make_shared<bool>(false);
  CLI::App* check_command = app.add_subcommand("check", "Verify a VHD's structures and chain");
  check_command->add_option("IMAGE", *check_image, "the .vhd")->required();
  check_command->add_flag("--repair", *repair,
                          "first put back an end footer that is gone or torn, from the copy at offset 0");
  check_command->callback([check_image, repair] { run_check(*check_image, *repair); });

  auto merge_child = std::make_shared<std::string>();
  CLI::App* merge_command = app.add_subcommand("merge", "Fold a differencing VHD into its parent");
  merge_command->add_option("CHILD", *merge_child, "the differencing .vhd")->required();
  merge_command->callback([merge_child] {
    try {
      vhd::merge_into_parent(*merge_child);
    } catch (const FormatError& error) {
      throw FormatError(fmt::format("{}; run diskimg check on both files", error.what()), error.where());
    }
    fmt::print("{}: merged into its parent and removed\n", *merge_child);
  });
}

}  // namespace diskimg::tool
