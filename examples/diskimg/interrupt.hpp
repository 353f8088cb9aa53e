// Signals that stop a long command (SIGINT, SIGTERM, SIGHUP): the first sets a flag that the
// command's progress callback reads, so the library stops between pieces and removes what it
// was writing; the process then exits with 128 + the signal's number. A second signal ends
// the process at once (the default action, restored by the first).
#pragma once

namespace diskimg::tool {

// Installs the handlers. Call once, before the long work starts.
void catch_interrupting_signals();
// Whether one of the signals came.
bool interrupted();
// Its number, or 0.
int interrupting_signal();

}  // namespace diskimg::tool
