#include "runtime/engine.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include "runtime/log.hpp"
#include "io/offload.hpp"
#include "io/syscall_queue.hpp"
#include "io/uring_queue.hpp"

namespace xlatd {

namespace {

void pin_to_core(std::thread& t, unsigned core) {
  unsigned n = std::thread::hardware_concurrency();
  if (n == 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core % n, &set);
  pthread_setaffinity_np(t.native_handle(), sizeof set, &set);
}

}  // namespace

bool Engine::open(const std::string& device, unsigned workers, bool offload, std::string& error) {
  if (!open_tun(device, workers, offload, tun_, error)) return false;
  if (!tun_.note.empty()) log::warn(tun_.note);
  if (tun_.vnet) {
    // Checksum and TSO offloads: TCP moves as 64 KiB super-packets. Without them (an
    // old kernel), reopen plainly.
    bool ok = true;
    std::string why;
    uso_ = true;
    for (int fd : tun_.fds) {
      bool uso = false;
      ok = ok && enable_tun_offloads(fd, uso, why);
      uso_ = uso_ && uso;
    }
    if (!ok) {
      log::warn("TUN offloads unavailable (" + why + "); translating packet by packet");
      tun_ = TunDevice{};
      if (!open_tun(device, workers, false, tun_, error)) return false;
    }
  }
  return true;
}

uint32_t Engine::read_mtu() {
  mtu_ = interface_mtu(tun_.name);
  if (mtu_ == 0) mtu_ = 1500;
  return mtu_;
}

DeviceQueueFactory uring_queue_factory() {
  // XLATD_IO_READS, XLATD_IO_RING and XLATD_IO_READ exist to measure the choices with
  // bench/perf.py (README, Performance).
  UringQueue::Options io;
  if (const char* v = std::getenv("XLATD_IO_READS")) io.reads = static_cast<unsigned>(std::clamp(std::atoi(v), 1, 1024));
  if (const char* v = std::getenv("XLATD_IO_RING")) io.ring = v;
  if (const char* v = std::getenv("XLATD_IO_READ")) io.read = v;
  // XLATD_IO=syscalls takes the fallback on purpose (tests, and measuring what it costs).
  const char* forced = std::getenv("XLATD_IO");
  const bool syscalls = forced != nullptr && std::string(forced) == "syscalls";
  return [io, syscalls](int fd, uint32_t packet_size, bool vnet, std::string& /*error: never, there is a fallback*/)
             -> std::unique_ptr<DeviceQueue> {
    if (syscalls) return std::make_unique<SyscallQueue>(fd, packet_size, vnet, io.reads, "XLATD_IO=syscalls");
    std::string why;
    if (auto q = UringQueue::create(fd, packet_size, vnet, io, why)) return q;
    // No io_uring here (a container's seccomp profile, kernel.io_uring_disabled, a
    // memlock limit): translate anyway, with plain system calls; the start-up line says why.
    static std::once_flag said;
    std::call_once(said, [&why] { log::warn(why + ": reading and writing the TUN with plain system calls (slower)"); });
    return std::make_unique<SyscallQueue>(fd, packet_size, vnet, io.reads, why);
  };
}

bool Engine::start(std::string& error) {
  const unsigned workers = static_cast<unsigned>(tun_.fds.size());
  queues_.resize(workers);
  ws_.resize(workers);
  std::vector<std::string> setup_errors(workers);
  std::atomic<unsigned> ready{0};
  for (unsigned i = 0; i < workers; ++i) {
    threads_.emplace_back([this, i, &setup_errors, &ready] {
      // Each worker builds its own queue on its own thread (single-issuer rings). With
      // offloads, reads carry up to 64 KiB super-packets.
      auto device = factory_(tun_.fds[i], tun_.vnet ? 65535 : mtu_, tun_.vnet, setup_errors[i]);
      if (device) {
        queues_[i] = std::make_unique<OffloadQueue>(std::move(device), mtu_);
        ws_[i] = std::make_unique<Worker>(i, *queues_[i], rt_);
      }
      ready.fetch_add(1);
      if (ws_[i]) ws_[i]->run();
    });
    pin_to_core(threads_.back(), i);
  }
  while (ready.load() < workers) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (unsigned i = 0; i < workers; ++i) {
    if (!queues_[i]) {
      error = "worker " + std::to_string(i) + ": " + setup_errors[i];
      stop();
      return false;
    }
  }
  return true;
}

void Engine::stop() {
  rt_.stop.store(true);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::string Engine::describe() const {
  const size_t n = ws_.size();
  return std::to_string(n) + " worker" + (n == 1 ? "" : "s") + (tun_.multi_queue ? "" : ", single-queue TUN") +
         ", " + (queues_.empty() || !queues_[0] ? std::string("?") : queues_[0]->describe()) +
         (tun_.vnet ? (uso_ ? ", offloads on (checksum, TSO, USO)" : ", offloads on (checksum, TSO)") : ", offloads off");
}

}  // namespace xlatd
