// TUN devices: IFF_TUN | IFF_NO_PI (raw IP packets, what the translator core takes),
// multi-queue where the device allows it, one fd per worker.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xlatd {

struct TunDevice {
  std::string name;
  std::vector<int> fds;   // one per queue, O_NONBLOCK
  bool multi_queue = false;
  bool vnet = false;      // IFF_VNET_HDR: packets carry a virtio-net header
  std::string note;       // e.g. why it fell back to one queue

  TunDevice() = default;
  TunDevice(const TunDevice&) = delete;
  TunDevice& operator=(const TunDevice&) = delete;
  TunDevice(TunDevice&& o) noexcept;
  TunDevice& operator=(TunDevice&& o) noexcept;
  ~TunDevice();
};

// Opens `queues` queues of the TUN `name`, creating the device if it does not exist.
// A persistent device created without IFF_MULTI_QUEUE (TAYGA 0.9.2's --mktun, a plain
// `ip tuntap add`) refuses multi-queue fds with EINVAL: then one queue is opened and
// `note` says so. Returns false with `error` set on failure.
// `vnet`: open with IFF_VNET_HDR (for offloads; see io/offload.hpp).
bool open_tun(const std::string& name, unsigned queues, bool vnet, TunDevice& out,
              std::string& error);

// --mktun / --rmtun: create or remove a persistent multi-queue TUN device.
bool make_persistent_tun(const std::string& name, std::string& error);
bool remove_persistent_tun(const std::string& name, std::string& error);

// The interface's MTU (SIOCGIFMTU), or 0 when it cannot be read.
uint32_t interface_mtu(const std::string& name);

}  // namespace xlatd
