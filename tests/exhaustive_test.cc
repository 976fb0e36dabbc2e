#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include "evaluators/funcapprox/exhaustive.h"
#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/registry.h"
#include "evaluators/native/compiler.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

using Kernel = void (*)(const float*, float*, std::size_t);

TEST(UlpError, MeasuresInFloatSpacingOfTheReference) {
  EXPECT_EQ(ulp_error(1.0f, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(ulp_error(1.0f, 1.0 + 0x1p-24), 0.5);           // half-way to the next float
  EXPECT_DOUBLE_EQ(ulp_error(std::nextafter(1.0f, 2.0f), 1.0), 1.0);
  EXPECT_DOUBLE_EQ(ulp_error(0.0f, 0x1p-149), 1.0);                 // subnormal spacing
  EXPECT_DOUBLE_EQ(ulp_error(-3.0f, -3.0 - 0x1p-22), 1.0);          // binade [2, 4): ulp 2^-22
  constexpr float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(ulp_error(inf, 1e39), 0.0);                              // overflow rounds to +inf
  EXPECT_TRUE(std::isinf(ulp_error(inf, 1.0)));
  EXPECT_TRUE(std::isinf(ulp_error(std::nanf(""), 1.0)));
  EXPECT_EQ(ulp_error(std::nanf(""), std::nan("")), 0.0);
}

class Exhaustive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lib_ = native::compile(R"(
      #include <cmath>
      #include <cstddef>
      // Correctly rounded 2^x for float inputs (the double result rounds once).
      extern "C" void exact(const float* in, float* out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::exp2(static_cast<double>(in[i])));
      }
      // The same, one float too high at x = 1.5 only.
      extern "C" void off_by_one(const float* in, float* out, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
          const float y = static_cast<float>(std::exp2(static_cast<double>(in[i])));
          out[i] = in[i] == 1.5f ? std::nextafter(y, 4.0f) : y;
        }
      })");
  }
  static Kernel kernel(const char* name) { return lib_->function<void(const float*, float*, std::size_t)>(name); }
  static std::shared_ptr<native::Library> lib_;
};
std::shared_ptr<native::Library> Exhaustive::lib_;

double ref_exp2(double x) { return std::exp2(x); }

TEST_F(Exhaustive, ChecksEveryFloatOfTheInterval) {
  const auto r = exhaustive_ulp({kernel("exact"), kernel("off_by_one")}, ref_exp2, 1.0f, 2.0f);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].inputs, (1u << 23) + 1);  // [1, 2) has 2^23 floats, plus 2 itself
  EXPECT_LE(r[0].max_ulp, 0.5);
  EXPECT_GT(r[0].max_ulp, 0.49);
  EXPECT_EQ(r[0].not_correctly_rounded, 0u);
  EXPECT_GT(r[1].max_ulp, 0.5);
  EXPECT_LE(r[1].max_ulp, 1.5);
  EXPECT_EQ(r[1].worst_x, 1.5f);
  EXPECT_EQ(r[1].not_correctly_rounded, 1u);
}

TEST_F(Exhaustive, CountsSignedRangesAndZeroOnce) {
  const auto r = exhaustive_ulp({kernel("exact")}, ref_exp2, -0x1p-148f, 0x1p-148f);
  // -2^-148, -2^-149, 0, 2^-149, 2^-148
  EXPECT_EQ(r[0].inputs, 5u);
}

TEST_F(Exhaustive, SameResultForAnyThreadCount) {
  std::vector<UlpResult> one, two;
  tbb::task_arena(1).execute([&] { one = exhaustive_ulp({kernel("off_by_one")}, ref_exp2, 0.25f, 2.0f); });
  tbb::task_arena(2).execute([&] { two = exhaustive_ulp({kernel("off_by_one")}, ref_exp2, 0.25f, 2.0f); });
  EXPECT_EQ(one[0].max_ulp, two[0].max_ulp);
  EXPECT_EQ(one[0].worst_x, two[0].worst_x);
  EXPECT_EQ(one[0].not_correctly_rounded, two[0].not_correctly_rounded);
  EXPECT_EQ(one[0].inputs, two[0].inputs);
}

TEST(FuncApproxMeasure, Float32FrontIsMeasuredOnEveryInput) {
  const auto domain = make_domain("funcapprox", {{"target", "exp2"}, {"interval", "1:2"}, {"precision", "float32"}});
  const Domain& d = *domain;
  EXPECT_EQ(d.measurement_names(), std::vector<std::string>{"ulp_exhaustive"});
  // 2^x ~ 2x on [1, 2]: exact at both ends, worst in between.
  const Program p = parse_program("input x\nr1 = mul2(x)\noutput y = r1\n", d.signature());
  const auto m = d.measure({p});
  ASSERT_EQ(m.size(), 1u);
  ASSERT_EQ(m[0].size(), 1u);
  EXPECT_EQ(m[0][0].name, "ulp_exhaustive");
  // max |2x - 2^x| / ulp(2^x) over [1, 2]: at x = 1/ln2 - ... computed here in double.
  double worst = 0;
  for (float x = 1.0f; x <= 2.0f; x = std::nextafter(x, 3.0f)) worst = std::max(worst, ulp_error(2 * x, std::exp2(double(x))));
  EXPECT_DOUBLE_EQ(m[0][0].value, worst);
  EXPECT_NE(m[0][0].detail.find("\"inputs\": 8388609"), std::string::npos) << m[0][0].detail;

  const auto f64 = make_domain("funcapprox", {{"target", "exp2"}, {"interval", "1:2"}, {"precision", "float64"}});
  EXPECT_TRUE(f64->measurement_names().empty());
  EXPECT_TRUE(f64->measure({parse_program("input x\nr1 = mul2(x)\noutput y = r1\n", f64->signature())}).empty());
}

}  // namespace
}  // namespace evo::funcapprox

namespace evo::funcapprox {
namespace {

TEST(FuncApproxUlpError, MeasuresTheGridInFloatUlps) {
  const auto domain = make_domain("funcapprox", {{"target", "exp2"}, {"interval", "1:2"}, {"precision", "float32"},
                                                 {"error", "ulp"}, {"points", "257"}});
  const auto& d = dynamic_cast<const FuncApprox&>(*domain);
  const Program p = parse_program("input x\nr1 = mul2(x)\noutput y = r1\n", d.signature());
  double expected = 0;
  for (long double x : d.grid()) expected = std::max(expected, ulp_error(2.0f * static_cast<float>(x), std::exp2(double(x))));
  EXPECT_NEAR(d.evaluate(p).values[0], expected, 1e-9 * expected);
  EXPECT_NE(d.describe().find("ulp error"), std::string::npos) << d.describe();
}

TEST(FuncApproxUlpError, CanBeChosenForAScaffoldCore) {
  EXPECT_NE(make_domain("funcapprox", {{"scaffold", "exp"}, {"precision", "float32"}})->describe().find("relative error"),
            std::string::npos);
  EXPECT_NE(make_domain("funcapprox", {{"scaffold", "exp"}, {"precision", "float32"}, {"error", "ulp"}})
                ->describe()
                .find("ulp error"),
            std::string::npos);
}

}  // namespace
}  // namespace evo::funcapprox
