// xlat-trace: runs packets through the translation core and prints what happens to each.
//
//   xlat-trace                         the built-in demo packets, default configuration
//   xlat-trace HEX...                  packets given as hex strings
//   xlat-trace --prefix P --ipv4-addr A --ipv6-addr A HEX...
//
// Nothing touches the network: it is the translator core alone, for learning and
// debugging (the daemon, xlatd, moves real packets).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "xlat/packet_summary.hpp"
#include "xlat/checksum.hpp"
#include "xlat/translator.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

bool parse_hex(const std::string& s, Bytes& out) {
  out.clear();
  std::string digits;
  for (char c : s) {
    if (std::isxdigit(static_cast<unsigned char>(c))) digits += c;
  }
  if (digits.size() % 2) return false;
  for (size_t i = 0; i < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return !out.empty();
}

void put16(Bytes& b, size_t o, uint16_t v) {
  b[o] = static_cast<uint8_t>(v >> 8);
  b[o + 1] = static_cast<uint8_t>(v);
}

// Builds a demo IPv4 packet: proto, TTL, DF, payload size.
Bytes demo_v4(uint8_t proto, uint8_t ttl, bool df, size_t payload, const char* src, const char* dst) {
  Bytes p(20 + 8 + payload, 0);  // a UDP or ICMP header is 8 bytes
  p[0] = 0x45;
  put16(p, 2, static_cast<uint16_t>(p.size()));
  put16(p, 4, 0x1d2e);
  put16(p, 6, df ? 0x4000 : 0);
  p[8] = ttl;
  p[9] = proto;
  auto s = *xlat::parse_ipv4(src), d = *xlat::parse_ipv4(dst);
  for (int i = 0; i < 4; ++i) {
    p[12 + i] = static_cast<uint8_t>(s >> (24 - 8 * i));
    p[16 + i] = static_cast<uint8_t>(d >> (24 - 8 * i));
  }
  for (size_t i = 0; i < payload; ++i) p[28 + i] = static_cast<uint8_t>(i);
  if (proto == 17) {
    put16(p, 20, 40000);
    put16(p, 22, 53);
    put16(p, 24, static_cast<uint16_t>(8 + payload));
    uint64_t sum = xlat::csum_add_ipv4(s, xlat::csum_add_ipv4(d)) + 17 + 8 + payload;
    put16(p, 26, xlat::csum_finish(xlat::csum_add_bytes(p.data() + 20, 8 + payload, sum)));
  } else {
    p[20] = 8;  // echo request
    put16(p, 24, 0x0042);
    put16(p, 26, 1);
    put16(p, 22, xlat::csum_finish(xlat::csum_add_bytes(p.data() + 20, 8 + payload)));
  }
  put16(p, 10, xlat::csum_finish(xlat::csum_add_bytes(p.data(), 20)));
  return p;
}

Bytes demo_v6(uint8_t hlim, size_t payload, const char* src, const char* dst) {
  Bytes p(48 + payload, 0);
  p[0] = 0x60;
  put16(p, 4, static_cast<uint16_t>(8 + payload));
  p[6] = 58;
  p[7] = hlim;
  auto s = *xlat::parse_ipv6(src), d = *xlat::parse_ipv6(dst);
  std::memcpy(p.data() + 8, s.b.data(), 16);
  std::memcpy(p.data() + 24, d.b.data(), 16);
  p[40] = 128;  // echo request
  put16(p, 44, 0x0042);
  put16(p, 46, 1);
  uint64_t sum = xlat::csum_add_ipv6(s, xlat::csum_add_ipv6(d)) + 58 + 8 + payload;
  put16(p, 42, xlat::csum_finish(xlat::csum_add_bytes(p.data() + 40, 8 + payload, sum)));
  return p;
}

const char* verdict_name(xlat::Verdict v) {
  switch (v) {
    case xlat::Verdict::Forward: return "translated";
    case xlat::Verdict::Reply: return "answered";
    default: return "dropped";
  }
}

using Named = std::vector<std::pair<std::string, Bytes>>;

// Reads the options and hex packets; returns an exit status, or -1 to go on.
int parse_arguments(int argc, char** argv, xlat::TranslatorConfig& cfg, Named& packets) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "xlat-trace: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::puts("usage: xlat-trace [--prefix P/len] [--ipv4-addr A] [--ipv6-addr A] [HEX...]");
      return 0;
    } else if (a == "--prefix") {
      cfg.prefix = xlat::parse_ipv6_prefix(value("--prefix"));
      if (!cfg.prefix) { std::fprintf(stderr, "xlat-trace: bad --prefix\n"); return 2; }
    } else if (a == "--ipv4-addr") {
      auto v = xlat::parse_ipv4(value("--ipv4-addr"));
      if (!v) { std::fprintf(stderr, "xlat-trace: bad --ipv4-addr\n"); return 2; }
      cfg.own_v4 = *v;
    } else if (a == "--ipv6-addr") {
      auto v = xlat::parse_ipv6(value("--ipv6-addr"));
      if (!v) { std::fprintf(stderr, "xlat-trace: bad --ipv6-addr\n"); return 2; }
      cfg.own_v6 = *v;
    } else {
      Bytes b;
      if (!parse_hex(a, b)) {
        std::fprintf(stderr, "xlat-trace: '%s' is not a hex packet\n", a.c_str());
        return 2;
      }
      packets.emplace_back("packet " + std::to_string(packets.size() + 1), b);
    }
  }
  return -1;
}

// The built-in demo: one packet for each kind of decision the translator makes.
Named demo_packets() {
  const char* h6 = "2001:db8:64::c633:6407";   // 198.51.100.7, an IPv4 host
  const char* c6 = "2001:db8:64::cb00:7109";   // 203.0.113.9 as seen from IPv6
  return {
      {"UDP from the IPv4 side", demo_v4(17, 64, true, 36, "198.51.100.7", "203.0.113.9")},
      {"ping from the IPv6 side", demo_v6(64, 56, c6, h6)},
      {"TTL 1 from the IPv4 side (traceroute)", demo_v4(17, 1, false, 20, "198.51.100.7", "203.0.113.9")},
      {"2000-byte DF=0 UDP, fragmented for IPv6", demo_v4(17, 64, false, 2000, "198.51.100.7", "203.0.113.9")},
      {"2000-byte DF=1 UDP, too big", demo_v4(17, 64, true, 2000, "198.51.100.7", "203.0.113.9")},
      {"ping to the translator itself", demo_v6(64, 8, c6, "2001:db8:64::c000:201")},
      {"to a loopback address", demo_v4(1, 64, true, 8, "198.51.100.7", "127.0.0.1")},
  };
}

// Translates each packet and prints what went in, the verdict and what came out.
void trace(xlat::Translator& t, const Named& packets) {
  std::vector<uint8_t> scratch(xlat::kScratchSize);
  for (const auto& [name, pkt] : packets) {
    Bytes buf(64 + pkt.size());
    std::memcpy(buf.data() + 64, pkt.data(), pkt.size());
    xlat::Output out(scratch);
    std::printf("%s\n  in:  %s\n", name.c_str(), xlat::summarize_packet(pkt.data(), static_cast<uint32_t>(pkt.size())).c_str());
    t.translate({buf.data() + 64, static_cast<uint32_t>(pkt.size()), 64}, out);
    std::printf("  %s", verdict_name(out.verdict));
    if (out.reason != xlat::DropReason::None) {
      std::printf(" (%s: %s)", std::string(xlat::drop_reason_name(out.reason)).c_str(),
                  std::string(xlat::drop_reason_explanation(out.reason)).c_str());
    }
    std::printf("\n");
    for (uint32_t i = 0; i < out.count; ++i) {
      std::printf("  out: %s\n", xlat::summarize_packet(out.pkts[i].data, out.pkts[i].len).c_str());
    }
    std::printf("\n");
  }
}

void print_counters(const xlat::TranslatorCounters& c) {
  std::printf("counters: translated 4to6 %llu, 6to4 %llu, fragments %llu, icmp errors sent %llu, echo replies %llu\n",
              static_cast<unsigned long long>(c.translated_4to6), static_cast<unsigned long long>(c.translated_6to4),
              static_cast<unsigned long long>(c.fragments_made), static_cast<unsigned long long>(c.icmp_errors_sent),
              static_cast<unsigned long long>(c.echo_replies_sent));
  for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
    if (c.drops[r]) {
      std::printf("  drop %s: %llu\n", std::string(xlat::drop_reason_name(static_cast<xlat::DropReason>(r))).c_str(),
                  static_cast<unsigned long long>(c.drops[r]));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  xlat::TranslatorConfig cfg;
  cfg.prefix = xlat::parse_ipv6_prefix("2001:db8:64::/96");
  cfg.own_v4 = *xlat::parse_ipv4("192.0.2.1");
  cfg.own_v6 = *xlat::parse_ipv6("2001:db8:64::c000:201");
  cfg.mtu4 = cfg.mtu6 = 1500;
  Named packets;
  if (int status = parse_arguments(argc, argv, cfg, packets); status >= 0) return status;
  if (packets.empty()) {
    std::printf("xlat-trace: built-in demo, prefix %s, translator %s / %s\n\n",
                xlat::to_string(*cfg.prefix).c_str(), xlat::to_string(cfg.own_v4).c_str(),
                xlat::to_string(cfg.own_v6).c_str());
    packets = demo_packets();
  }
  xlat::Translator t(cfg);
  trace(t, packets);
  print_counters(t.counters());
  return 0;
}
