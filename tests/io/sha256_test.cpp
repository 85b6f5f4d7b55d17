#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/io/sha256.h"
#include "tests/support/fixtures.h"

namespace {

using deltaedit::io::sha256_hex;

TEST(Sha256, MatchesTheFipsTestVectors) {
  EXPECT_EQ(sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(sha256_hex(two_blocks.data(), two_blocks.size()),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million(1000000, 'a');
  EXPECT_EQ(sha256_hex(million.data(), million.size()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FileDigestEqualsInMemoryDigest) {
  auto dir = deltaedit::testing::temp_dir("sha");
  std::string data(3 * 1024 * 1024 + 17, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  std::ofstream(dir / "f.bin", std::ios::binary).write(data.data(), data.size());
  EXPECT_EQ(deltaedit::io::sha256_file(dir / "f.bin"), sha256_hex(data.data(), data.size()));
  EXPECT_THROW(deltaedit::io::sha256_file(dir / "missing.bin"), std::runtime_error);
}

}  // namespace
