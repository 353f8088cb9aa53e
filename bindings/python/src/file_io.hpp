// What diskimg.File and diskimg.vhd.WritableFile share of io.RawIOBase's methods: the
// position a seek gives, and read() and readinto() around a function that fills bytes.
#pragma once

#include "bindings.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace diskimg::python {

// The position after seek(offset, whence): whence 0 from the start, 1 from `current`, 2
// from `size`. Throws ValueError for another whence (`whences` says which there are), a
// negative position or one past 2^63.
std::uint64_t seek_position(std::int64_t offset, int whence, std::uint64_t current, std::uint64_t size,
                            const char* whences);

// read(size): `size` bytes, or all `remaining` ones when `size` is negative or larger, as a
// bytes object that `fill` writes into. Throws ValueError when they would not fit one.
py::bytes read_bytes(std::uint64_t remaining, std::int64_t size, const std::function<void(std::span<std::byte>)>& fill);

// readinto(buffer): as many of the `remaining` bytes as a writable contiguous buffer holds,
// written by `fill`; returns their count. Throws ValueError for another buffer.
std::size_t read_into(std::uint64_t remaining, const py::buffer& buffer,
                      const std::function<void(std::span<std::byte>)>& fill);

}  // namespace diskimg::python
