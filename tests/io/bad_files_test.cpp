// Hostile and broken files: every one is refused with a ModelFileError that names the file and
// says what is wrong, without executing anything or crashing.
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/checkpoint_bytes.h"
#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/io/torchscript_reader.h"
#include "tests/support/fixtures.h"

namespace deltaedit::io {
namespace {

using testing::fixture;

// The reason each bad file must be refused, as a word the message has to contain.
struct BadCase {
  const char* file;
  const char* must_mention;
};

const BadCase kBadCases[] = {
    {"posix_system.pt", "posix.system"},
    {"os_system.pt", "os.system"},
    {"builtins_eval.pt", "builtins.eval"},
    {"stack_global_system.pt", "posix.system"},
    {"inst_opcode.pt", "posix.system"},
    {"legacy_posix_system.pt", "posix.system"},
    {"truncated_zip.pt", "truncated"},
    {"legacy_truncated.pt", "truncated"},
    {"wrong_magic.pt", "magic"},
    {"not_a_checkpoint.pt", "not a PyTorch checkpoint"},
    {"missing_storage_record.pt", "data/1"},
    {"storage_too_small.pt", "holds 40 bytes"},
    {"tensor_out_of_bounds.pt", "needs more elements"},
    {"absurd_shape.pt", "storage"},
};

class BadFile : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadFile, IsRefusedWithAClearMessage) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto path = fixture(std::string("checkpoint/bad/") + GetParam().file);
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  try {
    load_state_dict(path);
    FAIL() << path << " was accepted";
  } catch (const ModelFileError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find(GetParam().must_mention), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadFile, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           return n.substr(0, n.find('.'));
                         });

TEST(BadFile, EveryFixtureInTheFolderIsCovered) {
  DELTAEDIT_REQUIRE_FIXTURES();
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(fixture("checkpoint/bad"))) {
    if (entry.path().extension() != ".pt") continue;
    ++files;
    EXPECT_THROW(load_checkpoint(entry.path()), ModelFileError) << entry.path();
    EXPECT_THROW(load_torchscript_state_dict(entry.path()), ModelFileError) << entry.path();
  }
  EXPECT_EQ(files, std::size(kBadCases));
}

// Hand-made edge cases, fed as bytes.
std::string refusal(const std::string& bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  try {
    load_checkpoint(FileBytes::copy_of({p, bytes.size()}, "edge.pt"));
  } catch (const ModelFileError& e) {
    EXPECT_EQ(e.file(), "edge.pt");
    return e.problem();
  }
  return "accepted";
}

TEST(EdgeCases, EmptyFile) { EXPECT_EQ(refusal(""), "empty file"); }

TEST(EdgeCases, EmptyFileOnDisk) {
  const auto dir = testing::temp_dir("io_edge");
  std::ofstream(dir / "empty.pt").close();
  EXPECT_THROW(load_state_dict(dir / "empty.pt"), ModelFileError);
  EXPECT_THROW(load_state_dict(dir / "missing.pt"), ModelFileError);
}

// A byte string from a literal that may hold NULs.
template <std::size_t N>
std::string B(const char (&s)[N]) {
  return std::string(s, N - 1);
}

// Builds a legacy file: magic, protocol, sys_info, then `main` as the main pickle.
std::string legacy(const std::string& main) {
  std::string s;
  s += B("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.");
  s += B("\x80\x02M\xe9\x03.");
  s += B("\x80\x02}X\x0d\x00\x00\x00little_endian\x88s.");
  return s + main;
}

// The storage key list after a main pickle that has no tensors.
const std::string kNoStorages = "\x80\x02].";

TEST(EdgeCases, HugeMemoIndexIsRefusedWithoutAllocating) {
  // LONG_BINGET 0xFFFFFFFF with an empty memo.
  EXPECT_NE(refusal(legacy(std::string("\x80\x02j\xff\xff\xff\xff.", 8))).find("memo index"),
            std::string::npos);
}

TEST(EdgeCases, HugeStringLengthIsRefused) {
  const std::string p = std::string("\x80\x02\x8d", 3) + std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8);
  EXPECT_NE(refusal(legacy(p)).find("exceeds"), std::string::npos);
}

TEST(EdgeCases, StackUnderflowAndMissingMark) {
  EXPECT_NE(refusal(legacy("\x80\x02.")).find("underflow"), std::string::npos);
  EXPECT_NE(refusal(legacy("\x80\x02t.")).find("MARK"), std::string::npos);
  EXPECT_NE(refusal(legacy("\x80\x02(N0.")).find("underflow"), std::string::npos);
}

TEST(EdgeCases, UnknownOpcodeAndProtocol) {
  EXPECT_NE(refusal(legacy("\x80\x02\xff.")).find("unknown pickle opcode 0xff"), std::string::npos);
  EXPECT_NE(refusal(legacy("\x80\x09N.")).find("protocol 9"), std::string::npos);
}

TEST(EdgeCases, ReferenceCycleIsRefused) {
  // l = []; l.append(l)
  EXPECT_NE(refusal(legacy(B("\x80\x02]q\x00h\x00" "a.") + kNoStorages)).find("nested too deeply"),
            std::string::npos);
}

TEST(EdgeCases, ExponentialSharingIsRefused) {
  // x = []; then 40 times x = (x, x): 2^40 values once expanded.
  std::string p = "\x80\x02]";
  for (int i = 0; i < 40; ++i) p += "2\x86";
  p += ".";
  EXPECT_NE(refusal(legacy(p + kNoStorages)).find("too"), std::string::npos);
}

TEST(EdgeCases, TruncatedLegacyHeader) {
  EXPECT_NE(refusal(std::string("\x80\x02\x8a\x0a\x6c\xfc", 6)).find("magic"), std::string::npos);
}

TEST(EdgeCases, ZipWithoutDirectory) {
  EXPECT_NE(refusal(std::string("PK\x03\x04", 4) + std::string(100, '\0')).find("zip"),
            std::string::npos);
}

}  // namespace
}  // namespace deltaedit::io
