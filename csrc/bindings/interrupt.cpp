#include "bindings/interrupt.h"

#include <Python.h>

#include <atomic>
#include <csignal>

#if defined(__unix__) || defined(__APPLE__)
#define GRADFALL_POSIX_SIGNALS 1
#include <signal.h>
#endif

namespace gradfall::bindings {
namespace {

StopFlag g_flag;
unsigned long g_main_thread = 0;
std::atomic<bool> g_fired{false};

#if defined(GRADFALL_POSIX_SIGNALS)
struct sigaction g_previous;

extern "C" void on_sigint(int) {
  g_fired.store(true);
  g_flag.requested.store(true);
}
#endif

}  // namespace

void remember_main_thread() { g_main_thread = PyThread_get_thread_ident(); }

SigintWatch::SigintWatch(bool wanted) {
#if defined(GRADFALL_POSIX_SIGNALS)
  if (!wanted || PyThread_get_thread_ident() != g_main_thread) return;
  struct sigaction previous;
  if (sigaction(SIGINT, nullptr, &previous) != 0 || previous.sa_handler == SIG_IGN) return;
  struct sigaction ours = {};
  ours.sa_handler = on_sigint;
  sigemptyset(&ours.sa_mask);
  g_fired.store(false);
  g_flag.requested.store(false);
  g_previous = previous;
  active_ = sigaction(SIGINT, &ours, nullptr) == 0;
#else
  (void)wanted;
#endif
}

SigintWatch::~SigintWatch() { restore(); }

void SigintWatch::restore() {
#if defined(GRADFALL_POSIX_SIGNALS)
  if (!active_) return;
  sigaction(SIGINT, &g_previous, nullptr);
  active_ = false;
#endif
}

const StopFlag* SigintWatch::flag() const { return active_ ? &g_flag : nullptr; }

bool SigintWatch::fired() const { return g_fired.load(); }

void SigintWatch::deliver() {
  const bool was_active = active_;
  restore();
  if (was_active && g_fired.exchange(false)) std::raise(SIGINT);
}

}  // namespace gradfall::bindings
