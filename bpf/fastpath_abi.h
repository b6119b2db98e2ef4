/* What the TC fast path (xlat_fastpath.bpf.c) and the daemon that loads it agree on:
 * the settings, the address maps' records and the counter slots. C, for both sides;
 * every address is in network byte order, as in the packet. */
#ifndef XLAT_FASTPATH_ABI_H
#define XLAT_FASTPATH_ABI_H

#include <linux/types.h>

struct fp_settings {
  __u32 enabled;        /* 0: everything goes up (before configuration, after detach) */
  __u32 l3_offset;      /* 0 on a TUN; 14 (an Ethernet header) in BPF_PROG_TEST_RUN */
  __u32 ifindex;        /* the TUN: translated packets re-enter as received on it */
  __u32 own_v4;         /* the translator's own addresses: their traffic goes up */
  __u32 own_v6[4];
  __u32 prefix[3];      /* the RFC 6052 prefix, a /96 (its first 12 bytes) */
  __u32 pool_first;     /* the dynamic pool's range, host byte order; first > last: none */
  __u32 pool_last;
  __u32 mtu4;           /* the TUN's MTU on each side */
  __u32 mtu6;
  __u32 lowest_ipv6_mtu; /* a DF=0 IPv4 packet bigger than this is fragmented: up */
  __u32 gso_in_kernel;  /* the kernel's bpf_skb_change_proto keeps gso_size (probed) */
};

struct fp_v6 {
  __u32 w[4];
};

/* The dynamic pool's active entries, each way. last_used: when the program last
 * translated for the entry, bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC), 0 for never;
 * the daemon reads it back into the pool's last-use times. */
struct fp_pool4_value {
  struct fp_v6 v6;
  __u64 last_used;
};

struct fp_pool6_value {
  __u32 v4;
  __u32 pad;
  __u64 last_used;
};

/* Counter slots of the per-CPU array `fp_counters`. */
enum fp_counter {
  FP_TRANSLATED_6TO4 = 0,
  FP_TRANSLATED_4TO6,
  FP_UP_NOT_ORDINARY,   /* a protocol, header or option the fast path leaves to the daemon */
  FP_UP_FRAGMENT,
  FP_UP_HOP_LIMIT,      /* TTL / Hop Limit would expire: the daemon answers */
  FP_UP_TOO_BIG,        /* over an MTU, or to be fragmented */
  FP_UP_UNMAPPED,       /* an address the maps do not hold (the daemon maps or refuses it) */
  FP_UP_CHECKSUM,       /* a zero UDP checksum or a bad IPv4 header checksum */
  FP_UP_SUPER_PACKET,   /* GSO: the daemon's offload code handles it */
  FP_UP_HELPER_FAILED,  /* the kernel refused to change the protocol */
  FP_DROPPED_BROKEN,    /* a rewrite failed half-way: the packet is dropped */
  FP_COUNTERS
};

#endif
