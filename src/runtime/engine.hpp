// The translating engine both modes share: a TUN device (offloads when the kernel has
// them), one pinned worker thread per queue with its own io_uring, and the Runtime
// through which the main thread publishes configurations. PLAT and CLAT differ only in
// what they publish and in what they do around it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/worker.hpp"
#include "io/device_queue.hpp"
#include "io/offload_queue.hpp"
#include "io/tun.hpp"

namespace xlatd {

// Makes the device queue through which a worker reads one TUN queue (descriptor `fd`,
// packets up to `packet_size`, virtio-net headers with `vnet`), on that worker's own
// thread. Another data path (a kernel fast path, AF_XDP, a test queue) is another
// factory.
using DeviceQueueFactory =
    std::function<std::unique_ptr<DeviceQueue>(int fd, uint32_t packet_size, bool vnet, std::string& error)>;
// io_uring (UringQueue), tuned by XLATD_IO_READS, XLATD_IO_RING and XLATD_IO_READ.
DeviceQueueFactory uring_queue_factory();

class Engine {
 public:
  Engine() = default;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine() { stop(); }

  // Opens (or creates) the TUN with `workers` queues; with `offload`, turns on TUN
  // offloads and falls back to plain packets where the kernel refuses them. Warnings
  // (single-queue fallback, no offloads) are logged.
  bool open(const std::string& device, unsigned workers, bool offload, std::string& error);
  // The device's MTU, as read after open() and any link set-up.
  uint32_t read_mtu();
  // Starts the workers; the first configuration must be published before.
  bool start(std::string& error);
  // Replaces the io_uring queues (before start).
  void set_queue_factory(DeviceQueueFactory f) { factory_ = std::move(f); }
  // Stops and joins the workers (idempotent).
  void stop();

  Runtime& runtime() { return rt_; }
  const std::vector<std::unique_ptr<Worker>>& workers() const { return ws_; }
  uint32_t mtu() const { return mtu_; }
  // "N workers, io_uring MODE, reads, offloads ..." for the start-up log line.
  std::string describe() const;

 private:
  TunDevice tun_;
  bool uso_ = false;  // UDP segmentation offload on (Linux 6.2+)
  uint32_t mtu_ = 1500;
  Runtime rt_;
  DeviceQueueFactory factory_ = uring_queue_factory();
  std::vector<std::unique_ptr<OffloadQueue>> queues_;
  std::vector<std::unique_ptr<Worker>> ws_;
  std::vector<std::thread> threads_;
};

}  // namespace xlatd
