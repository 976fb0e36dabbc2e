// Whole-range kernels built by the scaffolds around an accurate stand-in core (the long
// double function rounded to the type), compiled natively and checked against the C
// library on special values and against long double over the whole range.
#include "evaluators/funcapprox/scaffold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <random>

#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/funcapprox/targets.h"
#include "evaluators/native/compiler.h"
#include "evaluators/registry.h"
#include "search/errors.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

template <class T>
constexpr const char* type_name() {
  return sizeof(T) == 4 ? "float" : "double";
}

std::string suffix(const Scaffold& s, std::string_view type) { return std::string(s.name) + (type == "float" ? "_f" : "_d"); }

// The stand-in core: the long double function at the core's argument, rounded once.
std::string stand_in_core(const Scaffold& s, std::string_view type, const std::string& name) {
  const std::string_view c = s.core_target;
  const std::string expr = c == "exp2"     ? "exp2l(x)"
                           : c == "exp"    ? "expl(x)"
                           : c == "log2p1" ? "log1pl(x) / 0.693147180559945309417232121458176568L"
                           : c == "log1p"  ? "log1pl(x)"
                                           : "sinl(x)";
  const std::string t(type);
  return "static inline " + t + " " + name + "(" + t + " r) {\n  const long double x = r;\n  return (" + t + ")(" +
         expr + ");\n}\n";
}

// Every scaffold in both types in one translation unit: run_<name>_<f|d>(in, out, n).
std::string all_kernels(SourceLang lang) {
  std::string src = scaffold_includes(lang);
  for (const auto& s : scaffolds())
    for (const char* type : {"float", "double"}) {
      const std::string sfx = suffix(s, type);
      src += stand_in_core(s, type, "core_" + sfx);
      // Each twice: as for any core, and as for a core known to keep NaN (keeps_nan()).
      src += emit_scaffold(s, type, lang, "core_" + sfx, "whole_" + sfx);
      src += emit_scaffold(s, type, lang, "core_" + sfx, "whole_nan_" + sfx, true);
      for (const std::string variant : {"", "nan_"})
        src += std::string("#ifdef __cplusplus\nextern \"C\"\n#endif\n") + "void run_" + variant + sfx + "(const " +
               type + "* in, " + type + "* out, long n) {\n  for (long i = 0; i < n; ++i) out[i] = whole_" + variant +
               sfx + "(in[i]);\n}\n";
    }
  return src;
}

const native::Library& library(SourceLang lang) {
  static std::map<SourceLang, std::shared_ptr<native::Library>> libs;
  auto& lib = libs[lang];
  if (!lib) {
    native::CompileOptions o;
    if (lang == SourceLang::c) o.flags = {"-x", "c", "-std=c11", "-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno"};
    lib = native::compile(all_kernels(lang), o);
  }
  return *lib;
}

template <class T>
std::vector<T> run(const Scaffold& s, const std::vector<T>& in, SourceLang lang = SourceLang::cpp,
                   const std::string& variant = "") {
  auto* fn = library(lang).function<void(const T*, T*, long)>("run_" + variant + suffix(s, type_name<T>()));
  std::vector<T> out(in.size());
  fn(in.data(), out.data(), static_cast<long>(in.size()));
  return out;
}

template <class T>
T libm(std::string_view whole, T x) {
  if constexpr (sizeof(T) == 4) {
    if (whole == "exp2") return exp2f(x);
    if (whole == "exp") return expf(x);
    if (whole == "log2") return log2f(x);
    if (whole == "log") return logf(x);
    if (whole == "sin") return sinf(x);
    return cosf(x);
  } else {
    if (whole == "exp2") return exp2(x);
    if (whole == "exp") return exp(x);
    if (whole == "log2") return log2(x);
    if (whole == "log") return log(x);
    if (whole == "sin") return sin(x);
    return cos(x);
  }
}

// |y - ref| in units in the last place of ref in T (subnormal spacing below the normal
// range; an infinite y counts as the next power of two past the largest finite value).
template <class T>
double ulp_error(T y, long double ref) {
  using L = std::numeric_limits<T>;
  if (std::isnan(ref) || std::isnan(y)) return std::isnan(ref) && std::isnan(y) ? 0.0 : HUGE_VAL;
  const int emin = L::min_exponent - 1, emax = L::max_exponent - 1;
  const long double big = ldexpl(1.0L, emax + 1);  // rounds to infinity from max + ulp(max) / 2 on
  if (fabsl(ref) >= big - ldexpl(1.0L, emax - L::digits)) return std::isinf(y) && std::signbit(y) == std::signbit(ref) ? 0.0 : HUGE_VAL;
  const long double yv = std::isinf(y) ? copysignl(ldexpl(1.0L, emax + 1), y) : static_cast<long double>(y);
  int e = ref == 0 ? emin : ilogbl(ref);
  e = std::max(emin, std::min(emax, e));
  return static_cast<double>(fabsl(yv - ref) / ldexpl(1.0L, e - L::digits + 1));
}

long double reference(std::string_view whole, long double x) { return find_target(whole)->reference(x); }

// The accurate range of x: everything, except sin and cos (see scaffold.h's table).
template <class T>
T limit(const Scaffold& s) {
  if (s.kind == ScaffoldKind::sin || s.kind == ScaffoldKind::cos) return sizeof(T) == 4 ? 0x1p30f : 0x1p21;
  return std::numeric_limits<T>::infinity();
}

// A few hundred thousand inputs spread over the whole range, denser where results are
// delicate: around 1 for log, near zeros of sin and cos, over the under- and overflow range.
template <class T>
std::vector<T> sweep_inputs(const Scaffold& s) {
  using L = std::numeric_limits<T>;
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> u01(0, 1);
  auto uniform = [&](double lo, double hi) { return static_cast<T>(lo + (hi - lo) * u01(gen)); };
  auto log_uniform = [&](double lo_exp, double hi_exp) {
    const T v = static_cast<T>(std::exp2(uniform(lo_exp, hi_exp)));
    return gen() & 1 ? -v : v;
  };
  const bool f = sizeof(T) == 4;
  std::vector<T> in;
  switch (s.kind) {
    case ScaffoldKind::exp2_round:
    case ScaffoldKind::exp2_floor:
    case ScaffoldKind::exp: {
      const double lo = s.kind == ScaffoldKind::exp ? (f ? -105 : -746) : (f ? -151 : -1076);
      const double hi = s.kind == ScaffoldKind::exp ? (f ? 89 : 710) : (f ? 129 : 1025);
      for (int i = 0; i < 200000; ++i) in.push_back(uniform(lo, hi));
      for (int i = 0; i < 50000; ++i) in.push_back(log_uniform(f ? -40 : -80, 6));
      for (int i = 0; i < 50000; ++i) in.push_back(uniform(-2, 2));
      break;
    }
    case ScaffoldKind::log2:
    case ScaffoldKind::log:
      while (in.size() < 150000) {  // uniform over the bit patterns of positive finite T
        using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
        const Bits b = static_cast<Bits>(gen()) & (~Bits{0} >> 1);
        T x;
        std::memcpy(&x, &b, sizeof x);
        if (std::isfinite(x) && x > 0) in.push_back(x);
      }
      for (int i = 0; i < 100000; ++i) in.push_back(uniform(0.5, 2));
      for (int i = 0; i < 50000; ++i) in.push_back(static_cast<T>(1 + uniform(-0x1p-12, 0x1p-12)));
      break;
    case ScaffoldKind::sin:
    case ScaffoldKind::cos: {
      const double lim = static_cast<double>(limit<T>(s));
      for (int i = 0; i < 100000; ++i) in.push_back(uniform(-10, 10));
      for (int i = 0; i < 150000; ++i) in.push_back(log_uniform(-30, std::log2(lim)));
      // Around multiples of pi/2, where sin or cos is near zero and the reduction cancels most.
      for (int i = 0; i < 20000; ++i) {
        const double k = std::floor(std::exp2(uniform(0, std::log2(lim / 1.5707963267948966) - 0.1)));
        T x = static_cast<T>(static_cast<long double>(k) * 1.57079632679489661923132169163975144L);
        for (int d = 0; d < 3; ++d) {
          in.push_back(x);
          in.push_back(-x);
          x = std::nextafter(x, L::infinity());
        }
      }
      break;
    }
  }
  return in;
}

// Inputs where the C library's results are special or change regime.
template <class T>
std::vector<T> special_inputs(const Scaffold& s) {
  using L = std::numeric_limits<T>;
  const bool f = sizeof(T) == 4;
  std::vector<T> in = {L::quiet_NaN(), -L::quiet_NaN(), L::infinity(), -L::infinity(), T(0), T(-0.0),
                       L::denorm_min(), -L::denorm_min(), L::min(), -L::min(), L::min() / 2, L::max(), -L::max(),
                       T(1), T(-1), T(0.5), T(2), T(1e-30), T(-1e-30), T(100), T(-100)};
  std::vector<long double> around;  // each with its neighbours
  const int emin = L::min_exponent - 1, emax = L::max_exponent - 1, p = L::digits;
  switch (s.kind) {
    case ScaffoldKind::exp2_round:
    case ScaffoldKind::exp2_floor:
      around = {emax + 1.0L, emin * 1.0L, emin - p + 1.0L, emin - p * 1.0L, emin - p - 1.0L, 0.5L, -0.5L, 10.5L, -10.5L};
      break;
    case ScaffoldKind::exp:
      for (const long double v : {static_cast<long double>(L::max()), static_cast<long double>(L::min()),
                                  static_cast<long double>(L::denorm_min()), L::denorm_min() / 2.0L})
        around.push_back(logl(v));
      around.push_back(0.34657359027997265471L);
      break;
    case ScaffoldKind::log2:
    case ScaffoldKind::log:
      around = {1.0L, 0.70710678118654752440L, 1.41421356237309504880L, ldexpl(1, emin), ldexpl(1, emin - p / 2)};
      for (int e = emin - p + 1; e <= emax; e += 7) in.push_back(static_cast<T>(ldexpl(1, e)));  // powers of two
      break;
    case ScaffoldKind::sin:
    case ScaffoldKind::cos:
      around = {static_cast<long double>(limit<T>(s)), 1.57079632679489661923L, 3.14159265358979323846L,
                f ? 1e6L : 1e5L};
      in.push_back(std::nextafter(limit<T>(s), L::infinity()));
      break;
  }
  for (const long double c : around)
    for (const long double sign : {1.0L, -1.0L}) {
      T x = static_cast<T>(sign * c);
      for (int k = 0; k < 4; ++k) x = std::nextafter(x, -L::infinity());
      for (int k = 0; k < 9; ++k, x = std::nextafter(x, L::infinity())) in.push_back(x);
    }
  return in;
}

struct Case {
  std::string scaffold;
  bool is_float;
};

std::string case_name(const testing::TestParamInfo<Case>& info) {
  return info.param.scaffold + (info.param.is_float ? "_float" : "_double");
}

class WholeRange : public testing::TestWithParam<Case> {
 protected:
  template <class T>
  void check_special_values() {
    const Scaffold& s = *find_scaffold(GetParam().scaffold);
    const std::vector<T> in = special_inputs<T>(s);
    const std::vector<T> out = run(s, in);
    for (std::size_t i = 0; i < in.size(); ++i) {
      const T x = in[i], y = out[i], want = libm(s.whole, x);
      const bool beyond = std::fabs(x) > limit<T>(s) && std::isfinite(x);
      if (beyond) {  // documented: NaN past the accurate range of the sin/cos reduction
        EXPECT_TRUE(std::isnan(y)) << s.name << "(" << x << ")";
        continue;
      }
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(y)) << s.name << "(" << x << ") = " << y;
      } else if (std::isinf(want) || want == 0) {
        EXPECT_TRUE(y == want && std::signbit(y) == std::signbit(want))
            << s.name << "(" << std::hexfloat << x << ") = " << y << ", C library " << want;
      } else {
        EXPECT_TRUE(std::isfinite(y) && y != 0) << s.name << "(" << std::hexfloat << x << ") = " << y << ", C library " << want;
        EXPECT_LE(ulp_error(y, want), 1.0) << s.name << "(" << std::hexfloat << x << ") = " << y << ", C library " << want;
      }
    }
  }

  template <class T>
  double max_ulp() {
    const Scaffold& s = *find_scaffold(GetParam().scaffold);
    const std::vector<T> in = sweep_inputs<T>(s);
    const std::vector<T> out = run(s, in);
    double worst = 0;
    T worst_x = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      const double e = ulp_error(out[i], reference(s.whole, in[i]));
      if (e > worst) worst = e, worst_x = in[i];
    }
    RecordProperty("max_ulp", std::to_string(worst));
    std::printf("[ max ULP ] %s %s: %.4f at x = %a over %zu inputs\n", std::string(s.name).c_str(), type_name<T>(), worst,
                static_cast<double>(worst_x), in.size());
    return worst;
  }
};

TEST_P(WholeRange, SpecialValuesMatchTheCLibrary) {
  if (GetParam().is_float) check_special_values<float>();
  else check_special_values<double>();
}

// With a core rounded once from the exact value, the scaffold adds at most about half an
// ULP: exact reductions, one rounding in the final combination, and (sin, cos) the
// rounding of r to the type before the core sees it.
TEST_P(WholeRange, WithinOneUlpOverTheWholeRange) {
  const double worst = GetParam().is_float ? max_ulp<float>() : max_ulp<double>();
  EXPECT_LE(worst, 1.0);
}

// Two builds of the parameter's scaffold give the same bits (NaN as any NaN) on the special
// inputs and 20,000 of the sweep: `b` names the second build (its language and variant).
void expect_same_bits(const std::string& scaffold, bool is_float, SourceLang lang, const std::string& variant) {
  const Scaffold& s = *find_scaffold(scaffold);
  auto check = [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> in = special_inputs<T>(s);
    const std::vector<T> sweep = sweep_inputs<T>(s);
    in.insert(in.end(), sweep.begin(), sweep.begin() + 20000);
    const auto a = run(s, in), b = run(s, in, lang, variant);
    for (std::size_t i = 0; i < in.size(); ++i)
      ASSERT_TRUE(std::memcmp(&a[i], &b[i], sizeof(T)) == 0 || (std::isnan(a[i]) && std::isnan(b[i]))) << in[i];
  };
  if (is_float) check(0.0f);
  else check(0.0);
}

// The C emission computes bit for bit what the C++ one does.
TEST_P(WholeRange, CAndCppAgree) { expect_same_bits(GetParam().scaffold, GetParam().is_float, SourceLang::c, ""); }

// A core that keeps NaN lets the scaffold drop its own NaN guard; with such a core (the
// stand-in is one) the results are the same, bit for bit, special values included.
TEST_P(WholeRange, WithoutTheNanGuardACoreThatKeepsNanGivesTheSameResults) {
  expect_same_bits(GetParam().scaffold, GetParam().is_float, SourceLang::cpp, "nan_");
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const auto& s : scaffolds())
    for (bool f : {true, false}) cases.push_back({std::string(s.name), f});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Scaffolds, WholeRange, testing::ValuesIn(all_cases()), case_name);

// Cores for the vector kernels: a polynomial that keeps NaN; one with min and max (the
// scaffold then adds its NaN guard); one of every other op with a vector form.
const char* const kVectorCores[] = {
    "input x\nc = const(0x1.5555555555555p-3)\nh2 = fma(c, x, 0.5)\nh1 = fma(h2, x, 1)\nh0 = fma(h1, x, 1)\noutput y = h0\n",
    "input x\na = min(x, 0.3)\nb = max(a, -0.3)\nh = fma(b, b, 0.5)\ng = fma(h, b, 1)\noutput y = g\n",
    "input x\na = div(x, 3)\nb = neg(a)\nc = abs(b)\nd = sqrt(c)\ne = square(d)\nf = mul2(e)\ng = half(f)\n"
    "h = pdiv(g, x)\ni = interp(h, x, 0.25)\nj = sub(i, a)\nk = add(j, 1)\nl = mul(k, 0.999)\noutput y = l\n",
};

struct VectorCase {
  std::string scaffold;
  bool is_float;
  int core;
};

class VectorKernel : public testing::TestWithParam<VectorCase> {
 protected:
  // The kernel evo compiles (AVX-512 on this CPU) against its scalar form (EVO_SCALAR_KERNELS),
  // over the special inputs, the whole-range sweep and random bit patterns: the same bits.
  template <class T>
  void check() {
    const VectorCase& c = GetParam();
    const Scaffold& s = *find_scaffold(c.scaffold);
    auto d = make_domain("funcapprox", {{"scaffold", c.scaffold}, {"precision", c.is_float ? "float32" : "float64"}});
    const Program p = parse_program(kVectorCores[c.core], d->signature());
    const std::string vector = d->kernel_source(p, "k_vector");
    ASSERT_NE(vector.find("_scalef"), std::string::npos) << vector;
    const auto lib = native::compile(vector + "#define EVO_SCALAR_KERNELS 1\n" + d->kernel_source(p, "k_scalar"));
    std::vector<T> in = special_inputs<T>(s);
    const auto sweep = sweep_inputs<T>(s);
    in.insert(in.end(), sweep.begin(), sweep.end());
    std::mt19937_64 gen(7);
    using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    for (int i = 0; i < 300000; ++i) {
      const Bits b = static_cast<Bits>(gen());
      T x;
      std::memcpy(&x, &b, sizeof x);
      in.push_back(x);
    }
    in.resize(in.size() - 5);  // a partial last vector, which the kernel masks
    std::vector<T> a(in.size()), b(in.size());
    lib->function<void(const T*, T*, std::size_t)>("k_vector")(in.data(), a.data(), in.size());
    lib->function<void(const T*, T*, std::size_t)>("k_scalar")(in.data(), b.data(), in.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (std::memcmp(&a[i], &b[i], sizeof(T)) == 0 || (std::isnan(a[i]) && std::isnan(b[i]))) continue;
      if (++differ <= 5) ADD_FAILURE() << "x = " << std::hexfloat << in[i] << ": vector " << a[i] << ", scalar " << b[i];
    }
    EXPECT_EQ(differ, 0u) << "of " << in.size() << " inputs";
  }
};

TEST_P(VectorKernel, GivesTheScalarKernelsBits) {
  if (!__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "this CPU has no AVX-512F: kernels compile to their scalar form";
  if (GetParam().is_float) check<float>();
  else check<double>();
}

std::vector<VectorCase> vector_cases() {
  std::vector<VectorCase> cases;
  for (const char* name : {"exp", "exp2", "exp2_floor"})
    for (bool f : {true, false})
      for (int core = 0; core < 3; ++core) cases.push_back({name, f, core});
  return cases;
}

std::string vector_case_name(const testing::TestParamInfo<VectorCase>& info) {
  return info.param.scaffold + (info.param.is_float ? "_float_core" : "_double_core") + std::to_string(info.param.core);
}

INSTANTIATE_TEST_SUITE_P(Scaffolds, VectorKernel, testing::ValuesIn(vector_cases()), vector_case_name);

TEST(VectorKernel, StaysScalarWhereThereIsNoVectorForm) {
  // sign has no vector form; log has no vector scaffold; without a scaffold GCC's own loop serves.
  const std::pair<std::string, std::map<std::string, std::string>> cases[] = {
      {"input x\na = sign(x)\nb = fma(a, x, 1)\noutput y = b\n", {{"scaffold", "exp"}, {"precision", "float32"}}},
      {"input x\na = fma(x, x, 1)\noutput y = a\n", {{"scaffold", "log"}, {"precision", "float32"}}},
      {"input x\na = fma(x, x, 1)\noutput y = a\n", {{"precision", "float32"}}},
  };
  for (const auto& [text, settings] : cases) {
    auto d = make_domain("funcapprox", settings);
    const std::string src = d->kernel_source(parse_program(text, d->signature()), "k");
    EXPECT_EQ(src.find("__AVX512F__"), std::string::npos) << src;
    EXPECT_NO_THROW(native::compile(src)) << src;
  }
}

TEST(Scaffold, KeepsNanOnlyForCoresOfIeeeArithmeticThatUseTheirInput) {
  auto d = make_domain("funcapprox", {{"scaffold", "exp"}});
  auto keeps = [&](const std::string& body) { return keeps_nan(parse_program("input x\n" + body, d->signature())); };
  EXPECT_TRUE(keeps("output y = x\n"));
  EXPECT_TRUE(keeps("r0 = const(1)\nr1 = fma(x, 0.5, r0)\nr2 = div(r1, x)\nr3 = sqrt(r2)\noutput y = r3\n"));
  EXPECT_FALSE(keeps("r1 = max(x, 0.5)\nr2 = add(r1, 1)\noutput y = r2\n"));  // max(NaN, 0.5) may be 0.5
  EXPECT_FALSE(keeps("r1 = sign(x)\noutput y = r1\n"));
  EXPECT_FALSE(keeps("r1 = const(2)\noutput y = r1\n"));  // ignores x
}

TEST(Scaffold, TableIsConsistent) {
  for (const auto& s : scaffolds()) {
    ASSERT_NE(find_target(s.whole), nullptr) << s.name;
    const Target* core = find_target(s.core_target);
    ASSERT_NE(core, nullptr) << s.name;
    EXPECT_LT(s.core_lo, s.core_hi);
    EXPECT_GE(s.core_lo, core->domain_lo);
    EXPECT_EQ(find_scaffold(s.name), &s);
  }
  EXPECT_EQ(find_scaffold("none"), nullptr);
  EXPECT_THROW(emit_scaffold(scaffolds()[0], "long double", SourceLang::cpp, "c", "f"), std::invalid_argument);
}

// e^x on [-ln2/2, ln2/2] by its degree-9 Taylor polynomial (Horner with fma): below a
// float ULP, about 1e-11 relative in double.
std::string exp_taylor_program() {
  std::string text = "input x\n";
  std::string prev = "c9";
  double fact = 1;
  for (int k = 1; k <= 9; ++k) fact *= k;
  text += "c9 = const(" + hex_double(1 / fact) + ")\n";
  for (int k = 8; k >= 0; --k) {
    fact /= (k + 1);
    text += "h" + std::to_string(k) + " = fma(" + prev + ", x, " + hex_double(1 / fact) + ")\n";
    prev = "h" + std::to_string(k);
  }
  return text + "output y = " + prev + "\n";
}

TEST(ScaffoldSetting, TakesTargetIntervalAndErrorFromTheScaffold) {
  auto d = make_domain("funcapprox", {{"scaffold", "log"}, {"precision", "float32"}});
  auto* fa = dynamic_cast<FuncApprox*>(d.get());
  ASSERT_NE(fa, nullptr);
  EXPECT_EQ(fa->target().name, "log1p");
  EXPECT_EQ(fa->lo(), find_scaffold("log")->core_lo);
  EXPECT_EQ(fa->hi(), find_scaffold("log")->core_hi);
  EXPECT_TRUE(fa->relative_error());  // although log1p changes sign on the interval
  EXPECT_NO_THROW(make_domain("funcapprox", {{"scaffold", "log"}, {"target", "log1p"}}));
  EXPECT_NO_THROW(make_domain("funcapprox", {{"scaffold", "sin"}, {"error", "absolute"}}));
  EXPECT_THROW(make_domain("funcapprox", {{"scaffold", "log"}, {"target", "log"}}), InputError);
  EXPECT_THROW(make_domain("funcapprox", {{"scaffold", "exp"}, {"interval", "0:2"}}), InputError);
  EXPECT_THROW(make_domain("funcapprox", {{"scaffold", "expm1"}}), InputError);
  // sin's symmetric interval with an odd number of points puts a grid point on the zero.
  EXPECT_THROW(make_domain("funcapprox", {{"scaffold", "sin"}, {"points", "1025"}}), InputError);
  // The scaffold does not change what is evaluated, so it stays out of the cache key.
  EXPECT_EQ(d->fingerprint().find("scaffold"), std::string::npos);
}

// A run stores what its core was searched on, and a value the scaffold would replace is
// refused when typed rather than ignored.
TEST(ScaffoldSetting, SettingsInUseAreTheCoresAndReadBack) {
  EXPECT_TRUE(make_domain("funcapprox", {})->settings_in_use().empty());
  for (const char* name : {"exp", "log2", "sin", "exp2_floor"}) {
    const Scaffold& sc = *find_scaffold(name);
    const auto used = make_domain("funcapprox", {{"scaffold", name}})->settings_in_use();
    ASSERT_EQ(used.size(), 2u) << name;
    EXPECT_EQ(used.at("target"), sc.core_target);
    auto stored = used;
    stored["scaffold"] = name;
    auto d = make_domain("funcapprox", stored);
    auto* fa = dynamic_cast<FuncApprox*>(d.get());
    ASSERT_NE(fa, nullptr);
    EXPECT_EQ(fa->lo(), sc.core_lo) << used.at("interval");
    EXPECT_EQ(fa->hi(), sc.core_hi) << used.at("interval");
    EXPECT_EQ(d->settings_in_use(), used);
    EXPECT_NO_THROW(refuse_replaced_settings(*d, stored));
  }
  const auto exp = make_domain("funcapprox", {{"scaffold", "exp"}, {"interval", "0:1"}});
  EXPECT_THROW(refuse_replaced_settings(*exp, {{"scaffold", "exp"}, {"interval", "0:1"}}), InputError);
  const auto log2 = make_domain("funcapprox", {{"scaffold", "log2"}, {"target", "exp2"}});
  EXPECT_THROW(refuse_replaced_settings(*log2, {{"scaffold", "log2"}, {"target", "exp2"}}), InputError);
  EXPECT_NO_THROW(refuse_replaced_settings(*log2, {{"scaffold", "log2"}, {"precision", "float32"}}));
  // The scaffold's own interval written another way is the same interval.
  const auto exp2 = make_domain("funcapprox", {{"scaffold", "exp2"}, {"interval", "-0.50:0.5"}});
  EXPECT_NO_THROW(refuse_replaced_settings(*exp2, {{"scaffold", "exp2"}, {"interval", "-0.50:0.5"}}));
  // exp2_floor's core is exp2 on [0, 1]: the defaults are its own, so typing them is fine.
  const auto floor = make_domain("funcapprox", {{"scaffold", "exp2_floor"}});
  EXPECT_NO_THROW(refuse_replaced_settings(*floor, {{"target", "exp2"}, {"interval", "0:1"}}));
}

TEST(ScaffoldSetting, RenderedExportsCompileAndComputeTheWholeRangeFunction) {
  for (const char* prec : {"float32", "float64"}) {
    auto d = make_domain("funcapprox", {{"scaffold", "exp"}, {"precision", prec}});
    const Program p = parse_program(exp_taylor_program(), d->signature());
    ASSERT_TRUE(d->evaluate(p).valid);
    const bool f = std::string(prec) == "float32";
    const std::string fn = f ? "evo_expf" : "evo_exp", t = f ? "float" : "double";
    for (const char* lang : {"cpp", "c"}) {
      const std::string code = d->render(p, lang, {});
      EXPECT_NE(code.find("Scaffold exp"), std::string::npos) << code;
      EXPECT_NE(code.find(fn + "_core("), std::string::npos) << code;
      EXPECT_NE(code.find(fn + "_n("), std::string::npos) << code;
      // C++ has the AVX-512 form of the loop (GCC's vector ?: is C++ only); this test runs it
      // where the CPU has AVX-512F, and VectorKernel checks its bits against the scalar form.
      EXPECT_EQ(code.find("_mm512_scalef") != std::string::npos, std::string(lang) == "cpp") << code;
      native::CompileOptions o;
      if (std::string(lang) == "c") o.flags = {"-x", "c", "-std=c11", "-O3", "-march=native", "-ffp-contract=off"};
      const std::string src = code + "#ifdef __cplusplus\nextern \"C\"\n#endif\nvoid call(const " + t + "* in, " +
                              t + "* out, long n) { " + fn + "_n(in, out, n); }\n";
      const auto lib = native::compile(src, o);
      if (f) {
        const std::vector<float> in = {0.0f, 1.0f, -1.0f, 50.0f, 100.0f, -200.0f, NAN, INFINITY, -INFINITY};
        std::vector<float> out(in.size());
        lib->function<void(const float*, float*, long)>("call")(in.data(), out.data(), static_cast<long>(in.size()));
        EXPECT_EQ(out[0], 1.0f);
        for (int i : {1, 2, 3}) EXPECT_LE(ulp_error(out[i], expl(in[i])), 2.0) << in[i];
        EXPECT_EQ(out[4], INFINITY);
        EXPECT_EQ(out[5], 0.0f);
        EXPECT_TRUE(std::isnan(out[6]));
        EXPECT_EQ(out[7], INFINITY);
        EXPECT_EQ(out[8], 0.0f);
      } else {
        const std::vector<double> in = {0.0, 1.0, -700.0, 1000.0, -1000.0, NAN};
        std::vector<double> out(in.size());
        lib->function<void(const double*, double*, long)>("call")(in.data(), out.data(), static_cast<long>(in.size()));
        EXPECT_EQ(out[0], 1.0);
        // Degree 9 leaves ~1e-11 relative error on the core's interval; scaling keeps it.
        EXPECT_NEAR(out[1] / static_cast<double>(expl(1.0L)), 1.0, 2e-11);
        EXPECT_NEAR(out[2] / static_cast<double>(expl(-700.0L)), 1.0, 2e-11);
        EXPECT_EQ(out[3], INFINITY);
        EXPECT_EQ(out[4], 0.0);
        EXPECT_TRUE(std::isnan(out[5]));
      }
    }
  }
}

}  // namespace
}  // namespace evo::funcapprox
