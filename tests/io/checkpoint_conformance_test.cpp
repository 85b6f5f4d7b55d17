// The reader against the Python-written fixtures: every tensor and value of expected.json in
// both the zip and the legacy file, key order, storage sharing, and the hand-crafted file.
#include <gtest/gtest.h>

#include "core/io/checkpoint_reader.h"
#include "tests/io/expected_tensor.h"
#include "tests/io/json_lite.h"
#include "tests/support/fixtures.h"

namespace deltaedit::io {
namespace {

using testing::fixture;
using testing::Json;

const PickleValue& walk(const PickleValue& root, const Json& keys, const std::string& what) {
  const PickleValue* v = &root;
  for (const auto& k : keys.array) {
    v = v->find(k.str());
    if (!v) throw std::runtime_error("missing " + what);
  }
  return *v;
}

void expect_value(const PickleValue& v, const Json& e, const std::string& what) {
  const std::string type = e["type"].str();
  if (type == "none") {
    EXPECT_TRUE(v.is_none()) << what;
  } else if (type == "bool") {
    ASSERT_EQ(v.kind, PickleValue::Kind::Bool) << what;
    EXPECT_EQ(v.boolean, e["value"].boolean) << what;
  } else if (type == "int") {
    ASSERT_EQ(v.kind, PickleValue::Kind::Int) << what;
    EXPECT_EQ(v.integer, static_cast<int64_t>(e["value"].num())) << what;
  } else if (type == "float") {
    ASSERT_EQ(v.kind, PickleValue::Kind::Float) << what;
    EXPECT_EQ(v.real, e["value"].num()) << what;
  } else if (type == "str") {
    ASSERT_EQ(v.kind, PickleValue::Kind::String) << what;
    EXPECT_EQ(v.text, e["value"].str()) << what;
  } else if (type == "list" || type == "tuple") {
    ASSERT_EQ(v.kind, type == "list" ? PickleValue::Kind::List : PickleValue::Kind::Tuple) << what;
    ASSERT_EQ(v.items.size(), e["items"].size()) << what;
    for (std::size_t i = 0; i < v.items.size(); ++i)
      expect_value(v.items[i], e["items"][i], what + "[" + std::to_string(i) + "]");
  } else {
    ADD_FAILURE() << what << ": unknown expected type " << type;
  }
}

std::vector<std::string> keys_of(const PickleValue& dict) {
  std::vector<std::string> out;
  for (const auto& [k, v] : dict.dict) out.push_back(k.text);
  return out;
}

class NestedCheckpoint : public ::testing::TestWithParam<std::string> {};

TEST_P(NestedCheckpoint, MatchesEveryExpectedTensorAndValue) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const Json expected = testing::read_json(fixture("checkpoint/expected.json"));
  const PickleValue root = load_checkpoint(fixture("checkpoint/" + GetParam()));
  ASSERT_TRUE(root.is_dict());
  EXPECT_EQ(keys_of(root), expected["top_level_keys"].strings());

  for (const auto& t : expected["tensors"].array) {
    const std::string path = t["path"].str();
    const PickleValue& v = walk(root, t["keys"], path);
    ASSERT_TRUE(v.is_tensor()) << path;
    testing::expect_tensor_matches(v.tensor, t, path);
    EXPECT_EQ(v.is_parameter, t["is_parameter"].boolean) << path;
    EXPECT_EQ(v.tensor.strides().vec(), t["stride"].ints()) << path;
    EXPECT_EQ(v.tensor.storage_offset(), static_cast<int64_t>(t["storage_offset"].num())) << path;
  }
  for (const auto& n : expected["non_tensors"].array)
    expect_value(walk(root, n["keys"], n["path"].str()), n["value"], n["path"].str());
}

TEST_P(NestedCheckpoint, KeepsKeyOrderAndFlattensStateDicts) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const Json expected = testing::read_json(fixture("checkpoint/expected.json"));
  const auto file = fixture("checkpoint/" + GetParam());
  for (const auto& [name, order] : expected["key_order"].object) {
    const StateDict sd = load_state_dict(file, name);
    std::vector<std::string> names;
    for (const auto& [k, t] : sd.entries()) names.push_back(k);
    EXPECT_EQ(names, order.strings()) << name;
    EXPECT_EQ(sd.source(), file);
  }
  // The root flattened: nested dicts joined with '.', non-tensors skipped.
  const StateDict all = load_state_dict(file);
  EXPECT_TRUE(all.contains("g_ema.view_a"));
  EXPECT_TRUE(all.contains("state_dict.encoder.conv.weight"));
  EXPECT_TRUE(all.contains("latent_avg"));
  EXPECT_FALSE(all.contains("opts.int"));
}

TEST_P(NestedCheckpoint, SharedStoragesShareMemory) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const Json expected = testing::read_json(fixture("checkpoint/expected.json"));
  const StateDict sd = load_state_dict(fixture("checkpoint/" + GetParam()));
  ASSERT_GT(expected["storage_sharing"].size(), 0u);
  for (const auto& group : expected["storage_sharing"].array) {
    const auto names = group.strings();
    const torch::Tensor& first = sd.at(names[0]);
    for (std::size_t i = 1; i < names.size(); ++i) {
      const torch::Tensor& other = sd.at(names[i]);
      EXPECT_TRUE(first.is_alias_of(other)) << names[0] << " vs " << names[i];
      EXPECT_EQ(first.storage().data(), other.storage().data());
    }
  }
}

TEST_P(NestedCheckpoint, InPlaceWritesDoNotTouchTheFile) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("checkpoint/" + GetParam());
  {
    StateDict sd = load_state_dict(file, "g_ema");
    torch::Tensor large = sd.at("large");
    large.fill_(7);  // copy-on-write of the private mapping, never a write to the file
  }
  const StateDict again = load_state_dict(file, "g_ema");
  EXPECT_NE(again.at("large").to(torch::kLong).sum().item<int64_t>(), 7 * 1000 * 1000);
}

INSTANTIATE_TEST_SUITE_P(Formats, NestedCheckpoint,
                         ::testing::Values("zip_nested.pt", "legacy_nested.pt"),
                         [](const auto& info) {
                           return info.param.substr(0, info.param.find('_'));
                         });

TEST(CraftedCheckpoint, MatchesExpectedViewsAndHalfStorage) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const Json expected = testing::read_json(fixture("checkpoint/expected_crafted.json"));
  const StateDict sd = load_state_dict(fixture("checkpoint/crafted_minimal.pt"));
  ASSERT_EQ(sd.size(), expected.size());
  for (const auto& [name, e] : expected.object) testing::expect_tensor_matches(sd.at(name), e, name);
  EXPECT_TRUE(sd.at("weight").is_alias_of(sd.at("weight_t")));
}

}  // namespace
}  // namespace deltaedit::io
