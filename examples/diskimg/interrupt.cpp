#include "interrupt.hpp"

#include <csignal>
#include <initializer_list>

namespace diskimg::tool {
namespace {

volatile std::sig_atomic_t received = 0;

extern "C" void on_signal(int signal) { received = signal; }

}  // namespace

void catch_interrupting_signals() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal is not caught: it ends the process
  for (const int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &action, nullptr);
}

bool interrupted() { return received != 0; }

int interrupting_signal() { return received; }

}  // namespace diskimg::tool
