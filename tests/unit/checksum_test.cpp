// RFC 1071 (the Internet checksum) and RFC 1624 (its incremental update): the fast code
// against the slow reference on random input.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "xlat/checksum.hpp"

namespace {

using namespace xlat;

TEST(Rfc1071, FastSumMatchesReferenceOnRandomInput) {
  std::mt19937 rng(1071);
  std::vector<uint8_t> buf(4096);
  for (int iter = 0; iter < 20000; ++iter) {
    size_t len = rng() % buf.size();
    size_t off = rng() % 8;  // unaligned starts too
    if (off + len > buf.size()) len = buf.size() - off;
    for (size_t i = 0; i < off + len; ++i) buf[i] = static_cast<uint8_t>(rng());
    ASSERT_EQ(csum_finish(csum_add_bytes(buf.data() + off, len)),
              csum_reference(buf.data() + off, len))
        << "len " << len << " off " << off;
  }
}

TEST(Rfc1071, AllOnesAndZeroes) {
  std::vector<uint8_t> ones(1500, 0xff), zeros(1500, 0);
  EXPECT_EQ(csum_finish(csum_add_bytes(ones.data(), ones.size())), csum_reference(ones.data(), ones.size()));
  EXPECT_EQ(csum_finish(csum_add_bytes(zeros.data(), zeros.size())), 0xffff);
}

TEST(Rfc1071, OddLengthPadsWithZero) {
  uint8_t odd[3] = {0x12, 0x34, 0x56};
  uint8_t even[4] = {0x12, 0x34, 0x56, 0x00};
  EXPECT_EQ(csum_finish(csum_add_bytes(odd, 3)), csum_finish(csum_add_bytes(even, 4)));
}

TEST(Rfc1071, KnownIpv4HeaderChecksum) {
  // A textbook IPv4 header whose checksum is 0xb861.
  uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(csum_finish(csum_add_bytes(hdr, 20)), 0xb861);
}

// RFC 1624 §3: HC' = ~(~HC + ~m + m') must equal a full recomputation after the change.
TEST(Rfc1624, IncrementalUpdateMatchesRecomputation) {
  std::mt19937 rng(1624);
  std::vector<uint8_t> buf(256);
  for (int iter = 0; iter < 20000; ++iter) {
    size_t len = 2 * (4 + rng() % 100);
    for (size_t i = 0; i < len; ++i) buf[i] = static_cast<uint8_t>(rng());
    uint16_t before = csum_finish(csum_add_bytes(buf.data(), len));
    size_t word = 2 * (rng() % (len / 2));
    uint16_t old_word = static_cast<uint16_t>(buf[word] << 8 | buf[word + 1]);
    uint16_t new_word = static_cast<uint16_t>(rng());
    buf[word] = static_cast<uint8_t>(new_word >> 8);
    buf[word + 1] = static_cast<uint8_t>(new_word);
    uint16_t updated = csum_update(before, old_word, new_word);
    uint16_t full = csum_finish(csum_add_bytes(buf.data(), len));
    // 0x0000 and 0xffff are the same one's-complement value (RFC 1624 §3).
    if (full == 0xffff || full == 0) {
      EXPECT_TRUE(updated == 0xffff || updated == 0);
    } else {
      ASSERT_EQ(updated, full);
    }
  }
}

TEST(Rfc1624, UnchangedDataLeavesChecksumUnchanged) {
  EXPECT_EQ(csum_update(0x1234, 0xabcd, 0xabcd), 0x1234);
}

}  // namespace
