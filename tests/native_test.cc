#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "evaluators/native/compiler.h"
#include "evaluators/native/library_kernels.h"
#include "evaluators/native/timing.h"

namespace evo::native {
namespace {

TEST(NativeCompiler, CompilesLoadsAndRunsAKernel) {
  auto lib = compile(R"(
    #include <cstddef>
    extern "C" void twice_plus_one(const double* in, double* out, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) out[i] = 2 * in[i] + 1;
    })");
  auto* f = lib->function<Kernel<double>>("twice_plus_one");
  std::vector<double> in = {0, 1.5, -3}, out(3);
  f(in.data(), out.data(), in.size());
  EXPECT_EQ(out, (std::vector<double>{1, 4, -5}));
  EXPECT_THROW(lib->symbol("no_such_function"), std::runtime_error);
}

TEST(NativeCompiler, ReportsTheCompilersMessages) {
  try {
    compile("this is not C++");
    FAIL() << "compiled nonsense";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("error"), std::string::npos) << e.what();
  }
}

TEST(NativeCompiler, DescribesItsFlags) {
  const std::string d = CompileOptions{}.describe();
  EXPECT_NE(d.find("-O3"), std::string::npos);
  EXPECT_NE(d.find("-march=native"), std::string::npos);
  EXPECT_NE(d.find("-ffp-contract=off"), std::string::npos);
}

TEST(LibraryKernels, ComputeTheFunctionTheyName) {
  for (const char* type : {"float", "double"}) {
    const auto kernels = library_kernels("exp", type);
    ASSERT_GE(kernels.size(), 1u);
    std::vector<std::string> libs;
    CompileOptions opts;
    const std::string code = combine_kernels(kernels, libs);
    opts.libraries = libs;
    auto lib = compile(code, opts);
    for (const auto& k : kernels) {
      // 37 elements: whole vectors and a scalar tail.
      if (std::string(type) == "float") {
        std::vector<float> in(37), out(37);
        for (int i = 0; i < 37; ++i) in[i] = -10.0f + 0.5f * static_cast<float>(i);
        lib->function<Kernel<float>>(k.symbol)(in.data(), out.data(), in.size());
        for (int i = 0; i < 37; ++i) EXPECT_NEAR(out[i], std::exp(in[i]), 2e-6 * std::exp(in[i])) << k.name << " " << in[i];
      } else {
        std::vector<double> in(37), out(37);
        for (int i = 0; i < 37; ++i) in[i] = -10.0 + 0.5 * i;
        lib->function<Kernel<double>>(k.symbol)(in.data(), out.data(), in.size());
        for (int i = 0; i < 37; ++i) EXPECT_NEAR(out[i], std::exp(in[i]), 1e-14 * std::exp(in[i])) << k.name << " " << in[i];
      }
    }
  }
  EXPECT_TRUE(library_kernels("sigmoid", "float").empty());
}

TEST(KernelTiming, OrdersACheapAndAnExpensiveKernel) {
  auto lib = compile(R"(
    #include <cmath>
    #include <cstddef>
    extern "C" void copy(const float* in, float* out, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) out[i] = in[i];
    }
    extern "C" void heavy(const float* in, float* out, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) {
        float x = in[i];
        for (int k = 0; k < 200; ++k) x = std::sqrt(x + 1.0f);  // a serial chain: no shortcut
        out[i] = x;
      })"
      "\n}");
  TimingOptions o;
  o.elements = 1024;
  o.rounds = 5;
  o.warmup_rounds = 1;
  o.round_seconds = 0.001;
  const std::vector<float> inputs = {0.5f, 1.0f, 2.0f};
  const auto t = time_kernels<float>({lib->function<Kernel<float>>("copy"), lib->function<Kernel<float>>("heavy")}, inputs, o);
  ASSERT_EQ(t.size(), 2u);
  for (const auto& x : t) {
    EXPECT_GT(x.median_ns, 0);
    EXPECT_LE(x.q1_ns, x.median_ns);
    EXPECT_LE(x.median_ns, x.q3_ns);
    EXPECT_LE(x.min_ns, x.q1_ns);
    EXPECT_EQ(x.rounds, 5);
    EXPECT_GE(x.calls_per_round, 1);
  }
  // 200 dependent square roots cost far more than a copy on any machine, however noisy.
  EXPECT_GT(t[1].median_ns, 20 * t[0].median_ns);
}

}  // namespace
}  // namespace evo::native
