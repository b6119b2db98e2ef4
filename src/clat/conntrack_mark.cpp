#include "clat/conntrack_mark.hpp"

#include <nftables/libnftables.h>

#include <cctype>
#include <memory>

namespace xlatd::clat {

namespace {

// Runs nftables commands in one transaction; the library's error text on failure.
bool run_nft(const std::string& commands, std::string& error) {
  std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
  if (!ctx) {
    error = "nftables: cannot create a context";
    return false;
  }
  nft_ctx_buffer_output(ctx.get());
  nft_ctx_buffer_error(ctx.get());
  if (nft_run_cmd_from_buffer(ctx.get(), commands.c_str()) != 0) {
    const char* e = nft_ctx_get_error_buffer(ctx.get());
    error = std::string("nftables: ") + (e != nullptr ? e : "failed");
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return false;
  }
  return true;
}

}  // namespace

std::string conntrack_mark_table(const std::string& clat_dev) {
  std::string t = "xlatd_clat_";
  for (char ch : clat_dev) t += (std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
  return t;
}

std::string conntrack_mark_ruleset(const std::string& clat_dev, const xlat::Ipv6Addr& host,
                                   const xlat::Ipv6Prefix& plat_prefix, uint32_t mark) {
  const std::string t = "ip6 " + conntrack_mark_table(clat_dev);
  const std::string m = std::to_string(mark);
  // Priority mangle (-150): after conntrack (-200) has found the connection, before the
  // routing decision that reads the packet mark.
  return "add table " + t + "\n" +
         "add chain " + t + " prerouting { type filter hook prerouting priority mangle; policy accept; }\n" +
         // The first packet of a CLAT connection: it comes out of the CLAT device.
         "add rule " + t + " prerouting iifname \"" + clat_dev + "\" ip6 saddr " + xlat::to_string(host) +
         " ip6 daddr " + xlat::to_string(plat_prefix) + " ct mark set " + m + "\n" +
         // Its replies, on the uplink: marked for the policy rule.
         "add rule " + t + " prerouting iifname != \"" + clat_dev + "\" ct mark " + m + " meta mark set ct mark\n";
}

bool set_conntrack_mark(bool on, const std::string& clat_dev, const xlat::Ipv6Addr& host,
                        const xlat::Ipv6Prefix& plat_prefix, uint32_t mark, std::string& error) {
  // The device name is written into nftables commands: only characters that cannot
  // end a string or a statement there.
  for (unsigned char ch : clat_dev) {
    if (!std::isalnum(ch) && ch != '-' && ch != '_' && ch != '.') {
      error = "clat-dev '" + clat_dev + "': shared mode needs a name of letters, digits, '-', '_' and '.'";
      return false;
    }
  }
  const std::string t = "ip6 " + conntrack_mark_table(clat_dev);
  // "destroy" needs nftables 1.0.8; a table that is not there makes "delete" fail, so
  // create it empty first: the pair always succeeds.
  std::string commands = "add table " + t + "\ndelete table " + t + "\n";
  if (on) commands += conntrack_mark_ruleset(clat_dev, host, plat_prefix, mark);
  return run_nft(commands, error);
}

}  // namespace xlatd::clat
