// F16/BF16 conversions (every bit pattern, and rounding at the ties), the safetensors
// reader and writer on files written here, and each malformation the reader rejects.
#include "evaluators/compression/safetensors.h"

#include <gtest/gtest.h>

#include "tests/e2e_support.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "evaluators/compression/half.h"
#include "search/errors.h"

namespace evo::compression {
namespace {

namespace fs = std::filesystem;

TEST(Half, KnownF16Values) {
  EXPECT_EQ(f16_to_float(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_float(0xc000), -2.0f);
  EXPECT_EQ(f16_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_float(0x0001), 0x1p-24f);
  EXPECT_EQ(f16_to_float(0x0400), 0x1p-14f);
  EXPECT_TRUE(std::signbit(f16_to_float(0x8000)) && f16_to_float(0x8000) == 0.0f);
  EXPECT_EQ(f16_to_float(0x7c00), INFINITY);
  EXPECT_TRUE(std::isnan(f16_to_float(0x7e00)));
}

TEST(Half, EveryF16AndBf16RoundTrips) {
  for (std::uint32_t b = 0; b < 0x10000; ++b) {
    const auto h = static_cast<std::uint16_t>(b);
    const float f = f16_to_float(h);
    if (std::isnan(f)) EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(f))));
    else ASSERT_EQ(float_to_f16(f), h) << std::hex << b;
    const float g = bf16_to_float(h);
    if (std::isnan(g)) EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(g))));
    else ASSERT_EQ(float_to_bf16(g), h) << std::hex << b;
  }
}

TEST(Half, NarrowingRoundsToNearestEven) {
  EXPECT_EQ(float_to_f16(1.0f + 0x1p-11f), 0x3c00);      // tie, down to even
  EXPECT_EQ(float_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);  // tie, up to even
  EXPECT_EQ(float_to_f16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);
  EXPECT_EQ(float_to_f16(65519.0f), 0x7bff);
  EXPECT_EQ(float_to_f16(65520.0f), 0x7c00);  // overflows to infinity
  EXPECT_EQ(float_to_f16(-1e10f), 0xfc00);
  EXPECT_EQ(float_to_f16(0x1p-25f), 0x0000);      // subnormal tie, to even (0)
  EXPECT_EQ(float_to_f16(3 * 0x1p-25f), 0x0002);  // subnormal tie, to even (2)
  EXPECT_EQ(float_to_f16(0x1p-14f - 0x1p-26f), 0x0400);  // rounds up into the normals
  EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f), 0x3f80);
  EXPECT_EQ(float_to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(float_to_bf16(std::bit_cast<float>(0x7f7fffffu)), 0x7f80);  // FLT_MAX rounds to infinity
}

class SafetensorsTest : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_.file(name); }

  // A file with this JSON header (length prefix added) followed by `data`.
  std::string raw(const std::string& header, const std::string& data, std::uint64_t length_field = ~0ull) const {
    const std::string p = path("raw.safetensors");
    std::ofstream out(p, std::ios::binary);
    const std::uint64_t n = length_field == ~0ull ? header.size() : length_field;
    out.write(reinterpret_cast<const char*>(&n), 8);
    out << header << data;
    return p;
  }

  void expect_rejected(const std::string& file, const std::string& problem) const {
    try {
      read_safetensors(file);
      ADD_FAILURE() << "accepted; expected: " << problem;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
    }
  }

  test::ScratchDir dir_;
};

std::string floats(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), std::data(v), s.size());
  return s;
}

TEST_F(SafetensorsTest, ReadsAFileLaidOutByTheFormat) {
  const std::string header =
      R"({"__metadata__":{"k":"v"},"b":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]},)"
      R"("a":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}})";
  std::string data = floats({1.0f, -2.5f});
  data += std::string("\x40\x40", 2);  // bf16 0x4040 = 3.0
  const TensorFile f = read_safetensors(raw(header, data));
  ASSERT_EQ(f.tensors.size(), 2u);
  EXPECT_EQ(f.at("a").shape, (std::vector<std::int64_t>{2, 1}));
  EXPECT_EQ(f.at("a").data, (std::vector<float>{1.0f, -2.5f}));
  EXPECT_EQ(f.at("b").data, (std::vector<float>{3.0f}));
  EXPECT_EQ(f.at("b").stored, DType::bf16);
  EXPECT_EQ(f.metadata.at("k"), "v");
  EXPECT_THROW(f.at("c"), InputError);
}

TEST_F(SafetensorsTest, WritesAndReadsBackEachPrecision) {
  TensorFile f;
  f.metadata["residual"] = "0,1";
  Tensor a;
  a.shape = {2, 3};
  a.data = {1, -2, 0.5f, 1e-3f, 3e4f, -0.0f};
  Tensor h = a, b = a, z;
  h.stored = DType::f16;
  h.data = {1, -2, 0.5f, 0x1p-24f, 65504.0f, -0.0f};  // all exact in f16
  b.stored = DType::bf16;
  b.data = {1, -2, 0.5f, 0x1p-100f, bf16_to_float(float_to_bf16(3.0e38f)), 256.0f};  // exact in bf16
  z.shape = {0};
  f.tensors = {{"a", a}, {"h", h}, {"b", b}, {"empty", z}};
  const std::string p = path("m.safetensors");
  write_safetensors(p, f);
  EXPECT_FALSE(fs::exists(p + ".tmp"));
  const TensorFile g = read_safetensors(p);
  EXPECT_EQ(g.metadata, f.metadata);
  ASSERT_EQ(g.tensors.size(), 4u);
  for (const auto& [name, t] : f.tensors) {
    EXPECT_EQ(g.at(name).shape, t.shape) << name;
    EXPECT_EQ(g.at(name).stored, t.stored) << name;
    EXPECT_EQ(g.at(name).data, t.data) << name;
  }
  // The header is padded so the data starts 8-byte aligned.
  std::ifstream in(p, std::ios::binary);
  std::uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  EXPECT_EQ(n % 8, 0u);
}

TEST_F(SafetensorsTest, RejectsMalformedFiles) {
  const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string two = floats({1, 2});
  expect_rejected(path("missing"), "cannot open");
  {
    std::ofstream(path("short"), std::ios::binary) << "abc";
    expect_rejected(path("short"), "shorter than");
  }
  expect_rejected(raw(ok, two, 1000), "runs past the end");
  expect_rejected(raw(ok, two, 200'000'000), "over 100 MB");
  expect_rejected(raw("{not json", two), "not JSON");
  expect_rejected(raw("[1,2]", two), "not a JSON object");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[2]}})", two), "needs dtype, shape and data_offsets");
  expect_rejected(raw(R"({"a":{"dtype":"I8","shape":[2],"data_offsets":[0,8]}})", two), "is not one of");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", two), "not a list of sizes");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", two), "outside the 8 data bytes");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", two), "8 bytes for 3 F32");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", two), "does not start where");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", two), "data bytes after");
  expect_rejected(raw(R"({"__metadata__":{"k":1}})", ""), "is not a string");
  expect_rejected(raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                      R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                      two),
                  "does not start where");
}

}  // namespace
}  // namespace evo::compression
