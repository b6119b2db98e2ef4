/* What the TC fast path (xlat_fastpath.bpf.c) and the daemon that loads it agree on:
 * the settings, the address maps' records and the counter slots. C, for both sides;
 * every address is in network byte order, as in the packet. */
#ifndef XLAT_FASTPATH_ABI_H
#define XLAT_FASTPATH_ABI_H

#include <linux/types.h>

/* An IPv6 address as two 64-bit numbers in host byte order (hi: its first 8 bytes),
 * so RFC 6052 and EAM bit fields are shifts and masks. */
struct fp_u128 {
  __u64 hi;
  __u64 lo;
};

/* Where the IPv4 address sits in an RFC 6052 address (§2.2): up to two runs of bits,
 * one in each half (bits 64-71, the u octet, between them). v4 = (hi >> hi_shift &
 * hi_mask) << lo_bits | (lo >> lo_shift & lo_mask); each run's mask is 0 when empty. */
struct fp_v4_layout {
  __u32 hi_shift;
  __u32 hi_mask;
  __u32 lo_shift;
  __u32 lo_bits;
  __u64 lo_mask;
};

/* IPv4 ranges the well-known prefix must not carry (wkpf-strict: RFC 6052 §3.1), as the
 * core's table has them; host byte order. */
#define FP_NON_GLOBAL_MAX 16
struct fp_range4 {
  __u32 first;
  __u32 last;
};

struct fp_settings {
  __u32 enabled;        /* 0: everything goes up (before configuration, after detach) */
  __u32 l3_offset;      /* 0 on a TUN; 14 (an Ethernet header) in BPF_PROG_TEST_RUN */
  __u32 ifindex;        /* the TUN: translated packets re-enter as received on it */
  __u32 own_v4;         /* the translator's own addresses: their traffic goes up */
  __u32 own_v6[4];
  __u32 has_prefix;     /* an RFC 6052 prefix is configured (else EAM alone) */
  __u32 non_global_count; /* wkpf-strict under 64:ff9b::/96: the ranges it refuses */
  struct fp_u128 prefix; /* the prefix, masked to its length, and the mask */
  struct fp_u128 prefix_mask;
  struct fp_v4_layout layout;
  struct fp_range4 non_global[FP_NON_GLOBAL_MAX];
  __u32 pool_first;     /* the dynamic pool's range, host byte order; first > last: none */
  __u32 pool_last;
  __u32 mtu4;           /* the TUN's MTU on each side */
  __u32 mtu6;
  __u32 lowest_ipv6_mtu; /* a DF=0 IPv4 packet bigger than this is fragmented: up */
  __u32 gso_in_kernel;  /* the kernel's bpf_skb_change_proto keeps gso_size (probed) */
  __u32 forward;        /* fast-path-forward: after an ingress, out of the uplink directly */
};

/* Bounds of the EAM maps: single addresses each way, ranges each way. */
#define FP_EAM_SINGLES_MAX (1 << 18)
#define FP_EAM_RANGES_MAX (1 << 16)

struct fp_v6 {
  __u32 w[4];
};

/* EAM ranges (RFC 7757; single addresses are in plain hashes), longest match each
 * way. The bits after the matched prefix (the suffix, at most 32) are copied:
 * v6 = v6_base | (v4 & suffix_mask) << shift, v4 = v4_base | (v6 >> shift & suffix_mask). */
struct fp_eam4_key {
  __u32 prefixlen;
  __u32 v4;
};

struct fp_eam6_key {
  __u32 prefixlen;
  __u8 v6[16];
};

struct fp_eam4_value {
  struct fp_u128 v6_base;
  __u32 shift;
  __u32 suffix_mask;
};

struct fp_eam6_value {
  __u32 v4_base;        /* host byte order */
  __u32 shift;
  __u32 suffix_mask;
  __u32 pad;
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
  FP_INGRESS_6TO4,      /* of the translated, those taken on an uplink's ingress */
  FP_INGRESS_4TO6,
  FP_FORWARDED,         /* of those, sent out of an uplink directly (fast-path-forward) */
  FP_COUNTERS
};

#endif
