// pread and pwrite may move fewer bytes than asked, and a signal may interrupt them before
// they move any: files are read and written through one loop that carries on until all is
// moved.
#pragma once

#include <cerrno>
#include <cstddef>

#include <sys/types.h>

namespace diskimg {

// How a transfer ended: `done` bytes were moved; `error` is the errno of the call that
// failed, or 0 when all was moved or a call moved nothing (a read at the end of the file).
struct Transfer {
  std::size_t done = 0;
  int error = 0;
};

// Calls `move(done)`, a pread or pwrite of the bytes from `done` on that returns what they
// return, until `length` bytes are moved, a call moves nothing, or one fails; a call that
// a signal interrupted (EINTR) is made again.
template <class Move>
Transfer transfer_all(std::size_t length, Move move) {
  Transfer transfer;
  while (transfer.done < length) {
    const ssize_t moved = move(transfer.done);
    if (moved < 0) {
      if (errno == EINTR) continue;
      transfer.error = errno;
      return transfer;
    }
    if (moved == 0) return transfer;
    transfer.done += static_cast<std::size_t>(moved);
  }
  return transfer;
}

}  // namespace diskimg
