#include "evaluators/funcapprox/scaffold.h"

#include "evaluators/native/vector_codegen.h"

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>

namespace evo::funcapprox {
namespace {

// sqrt(1/2) as float and double: the log cores see t = m - 1 with m in [sqrt(1/2), sqrt(2)),
// m's lower end being exactly this constant (its bits offset the exponent split below).
constexpr double kSqrtHalfF = 0x1.6a09e6p-1;
constexpr double kSqrtHalfD = 0x1.6a09e667f3bcdp-1;
constexpr double kHalfPi = 0x1.921fb54442d18p+0;
constexpr double kHalfLn2 = 0x1.62e42fefa39efp-2;

// Both log cores: the union of the float and double t intervals.
constexpr double kLogLo = kSqrtHalfF - 1.0;
constexpr double kLogHi = 2 * kSqrtHalfD - 1.0;

constexpr std::string_view kSinValidF = "|x| <= 2^30; NaN beyond (and for +-Inf)";
constexpr std::string_view kSinValidD = "|x| <= 2^21; NaN beyond (and for +-Inf)";

std::string hex_u(std::uint64_t v, bool wide) {
  char buf[32];
  std::snprintf(buf, sizeof buf, wide ? "0x%016llxull" : "0x%08llxu", static_cast<unsigned long long>(v));
  return buf;
}

// Replaces $NAME (upper-case letters, digits, _) by vars[NAME]; an unknown name is a bug here.
std::string fill(std::string_view tmpl, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (std::size_t k = 0; k < tmpl.size(); ++k) {
    if (tmpl[k] != '$') {
      out += tmpl[k];
      continue;
    }
    std::size_t e = k + 1;
    while (e < tmpl.size() && (std::isupper(static_cast<unsigned char>(tmpl[e])) ||
                               std::isdigit(static_cast<unsigned char>(tmpl[e])) || tmpl[e] == '_'))
      ++e;
    const auto it = vars.find(std::string(tmpl.substr(k + 1, e - k - 1)));
    if (it == vars.end()) throw std::logic_error("scaffold template names an unknown $" + std::string(tmpl.substr(k + 1, e - k - 1)));
    out += it->second;
    k = e - 1;
  }
  return out;
}

// 2^n for the exp scaffolds, n = the integer held in t's low bits (see $SHIFT), as two
// factors s1 = 2^(n - d) and s2 = 2^d: d = 1 for x > 0 (n up to 128, or 1024 for double),
// d = -24 (-53) otherwise (n down to -150, or -1075). So s1 is always a normal number, the
// first multiply is exact and the second rounds once, overflowing or underflowing
// (gradually) exactly where the true result does. s1's exponent field is n's low bits shifted into place plus the biased -d. Beyond
// [XLO, XHI], where the result is +Inf or 0, n would leave that range: those lanes compute
// garbage and the selects at the end replace it; selects rather than a clamp of x up front,
// which GCC vectorises as a chain of masks and blends.
constexpr std::string_view kScale = R"(  $U tb;
  $CPY(&tb, &t, sizeof tb);
  const int pos = x > $ZERO;
  const $U b1 = (tb << $MANT) + (pos ? $BPOS : $BNEG);
  $T s1;
  $CPY(&s1, &b1, sizeof s1);
  const $T s2 = pos ? $TWO : $TINY;
$RESULT  y = x > $XHI ? $INF : y;
  y = x $XLOCMP $XLO ? $ZERO : y;
  return y;
}
)";

// The result. A NaN input reaches the core as a NaN r; a core of IEEE arithmetic alone
// returns NaN for it, one with min, max or sign might not, and then + (x - x) (NaN for a NaN
// or an infinity, 0 otherwise; the infinities are replaced after) restores it -- arithmetic
// rather than a select, which GCC would turn into a branch around the whole computation and
// no longer vectorise on targets without masked vector ops (AVX2).
constexpr std::string_view kScaleResult = "  $T y = ($CORE(r) * s1) * s2;\n";
constexpr std::string_view kScaleResultGuarded = "  $T y = ($CORE(r) * s1) * s2 + (x - x);\n";

constexpr std::string_view kExp2 = R"($INL$T $FN($T x) {
  // Adding 1.5 * 2^p rounds to an integer n (nearest; for the floor form floor(x), or x - 1
  // at integers) whose bits t's mantissa then holds. r = x - n is exact (floor form: except
  // for x in (-1/2, 0), where 1 + x rounds once).
  const $T t = (x$FLOORADJ) + $SHIFT;
  const $T r = x - (t - $SHIFT);
)";

constexpr std::string_view kExp = R"($INL$T $FN($T x) {
  // n = nearest integer to x / ln2 (held in t's low mantissa bits). Cody-Waite: LN2_HI has
  // so few bits that x - n * LN2_HI is exact; LN2_LO carries the rest, with one rounding.
  // Fused multiply-adds: one instruction each where the CPU has FMA (-march=native).
  const $T t = $FMA(x, $LOG2E, $SHIFT);
  const $T nf = t - $SHIFT;
  const $T r = $FMA(nf, -$LN2LO, $FMA(nf, -$LN2HI, x));
)";

// The exp scaffolds on AVX-512 vectors (vector_codegen.h): the same reduction, then 2^n by
// scalef, one instruction that rounds core * 2^n once, as (core * s1) * s2 does whenever
// core * s1 is exact: for any core whose result is a normal number below 2^104 (double:
// 2^971), which every core near its target is. Six instructions fewer per vector.
constexpr std::string_view kExp2Vector = R"(static inline $V $FN($V x) {
  const $V t = (x$FLOORADJ) + $SHIFT;
  const $V nf = t - $SHIFT;
  const $V r = x - nf;
)";

constexpr std::string_view kExpVector = R"(static inline $V $FN($V x) {
  const $V t = $VFMA(x, $VSET($LOG2E), $VSET($SHIFT));
  const $V nf = t - $SHIFT;
  const $V r = $VFMA(nf, $VSET(-$LN2LO), $VFMA(nf, $VSET(-$LN2HI), x));
)";

constexpr std::string_view kScaleVector = R"($VRESULT  y = x > $XHI ? $VSET($INF) : y;
  y = x $XLOCMP $XLO ? $VSET($ZERO) : y;
  return y;
}
)";

constexpr std::string_view kScaleResultVector = "  $V y = $VSCALEF($CORE(r), nf);\n";
constexpr std::string_view kScaleResultVectorGuarded = "  $V y = $VSCALEF($CORE(r), nf) + (x - x);\n";

constexpr std::string_view kLog = R"($INL$T $FN($T x) {
  // Subnormal inputs are scaled into the normal range; the exponent remembers it.
  const $T xs = x < $MINNORM ? x * $SUBSCALE : x;
  const $T eadj = x < $MINNORM ? $SUBEXP : $ZERO;
  $U ix;
  $CPY(&ix, &xs, sizeof ix);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)): offsetting the bits by those of sqrt(1/2)
  // moves the point where e steps up from m = 1 to m = sqrt(1/2).
  ix += $ONE_BITS - $SQRTH_BITS;
  // e as a float: the bits of 2^p + (biased e), minus 2^p + bias, exactly.
  const $U eb = (ix >> $MANT) | $EMAGIC_BITS;
  $T e;
  $CPY(&e, &eb, sizeof e);
  e = (e - $EMAGIC) + eadj;
  const $U mb = (ix & $MANT_MASK) + $SQRTH_BITS;
  $T m;
  $CPY(&m, &mb, sizeof m);
  const $T c = $CORE(m - $ONE);  // m - 1 is exact
$COMBINE  // x <= 0, +Inf and NaN: the C library's results, blended in with a mask (a select
  // on y would become a branch around the computation; see the exp scaffolds).
  const $T special = x == $INF ? x : x == $ZERO ? -$INF : $NAN;
  const $U sm = ($U)((x > $ZERO) & (x < $INF)) - 1u;  // & not &&: no branch
  $U yb, sb;
  $CPY(&yb, &y, sizeof yb);
  $CPY(&sb, &special, sizeof sb);
  yb = (yb & ~sm) | (sb & sm);
  $CPY(&y, &yb, sizeof y);
  return y;
}
)";

// log2(x) = e + log2(1 + t): one rounding, and |c| <= 1/2 <= |e| when e != 0.
constexpr std::string_view kLog2Combine = "  $T y = e + c;\n";
// ln(x) = e*ln2 + ln(1 + t). e * LN2_HI is exact; Fast2Sum keeps the rounding error of
// adding c (|e * LN2_HI| >= |c| unless e = 0, when s = c and err = 0), so the result is
// rounded once on top of the core's error.
constexpr std::string_view kLogCombine = R"(  const $T hi = e * $LN2HI;
  const $T s = hi + c;
  const $T err = (hi - s) + c;
  $T y = s + (err + e * $LN2LO);
)";

// Reduction in double for both types. j = the multiple of pi/2 with the right parity:
// even (2n, n the nearest integer to x/pi) for sin, odd (2k+1, k = nearest to x/pi - 1/2)
// for cos, so r = x - j*pi/2 lies in [-pi/2, pi/2] and sin(x) = (-1)^n sin(r),
// cos(x) = (-1)^(k+1) sin(r). pi/2 is split in four parts; the first three have few enough
// bits that j * Pk is exact for every |j| the limit admits, so r keeps its relative accuracy
// near the zeros. The core sees r rounded to the type; the part cut off (rl) goes back in
// to first order, sin(r + rl) = sin(r) + cos(r) rl, else the rounding of r alone would cost
// up to 0.9 ULP where sin(r) is in a lower binade than r.
constexpr std::string_view kSinCos = R"($INL$T $FN($T x) {
  // Outside the accurate range (and for +-Inf) x becomes NaN, and so does everything after.
  // Masks rather than selects here and below: GCC threads a select's special path into a
  // block of its own, and will not if-convert the float <-> double conversions back (they
  // may trap), so the loop would not vectorise.
  $U xb;
  $CPY(&xb, &x, sizeof xb);
  xb |= (($U)((x <= $LIMIT) & (x >= -$LIMIT)) - 1u) & $QNAN_BITS;
  $T xs;
  $CPY(&xs, &xb, sizeof xs);
  const double xd = xs;
  const double t = xd * $INVPI$COSADJ + 0x1.8p+52;
  const double n = t - 0x1.8p+52;
  const double j = n + n$JODD;
$REDUCE  // (-1)^n (sin) or (-1)^(k+1) (cos): the parity of n or k sits in t's last bit.
  $U64 yb, tb;
  $CPY(&yb, &yd, sizeof yb);
  $CPY(&tb, &t, sizeof tb);
  yb ^= ((tb$PARITY) & 1u) << 63;
$ZEROSEL  $CPY(&yd, &yb, sizeof yd);
  return ($T)yd;
}
)";

// sin(+-0) = +-0 whatever the core does.
constexpr std::string_view kSinZero = R"(  $U64 xdb;
  $CPY(&xdb, &xd, sizeof xdb);
  const $U64 zm = ($U64)0 - ($U64)(xd == 0);
  yb = (yb & ~zm) | (xdb & zm);
)";

// float: r in plain double (its error, ~2^-52 relative, is far below a float ULP).
constexpr std::string_view kReduceFloat = R"(  double r = xd - j * $P1;
  r = r - j * $P2;
  r = r - j * $P3;
  r = r - j * $P4;
  const float rf = (float)r;
  const double rl = r - rf;  // exact
  const double r2 = (double)rf * rf;
  double yd = (double)$CORE(rf) + (1.0 - r2 * (0.5 - r2 * (1.0 / 24))) * rl;
)";

// double: r as rh + rl, each step's rounding error kept exactly (TwoSum).
constexpr std::string_view kReduceDouble = R"(  double rh = xd, rl = 0.0, b, s, bb;
  b = -(j * $P1); s = rh + b; bb = s - rh; rl += (rh - (s - bb)) + (b - bb); rh = s;
  b = -(j * $P2); s = rh + b; bb = s - rh; rl += (rh - (s - bb)) + (b - bb); rh = s;
  b = -(j * $P3); s = rh + b; bb = s - rh; rl += (rh - (s - bb)) + (b - bb); rh = s;
  b = -(j * $P4); s = rh + b; bb = s - rh; rl += (rh - (s - bb)) + (b - bb); rh = s;
  const double r = rh + rl;
  rl = rl - (r - rh);
  const double r2 = r * r;
  double yd = $CORE(r) + (1.0 - r2 * (0.5 - r2 * (1.0 / 24))) * rl;
)";

}  // namespace

const std::vector<Scaffold>& scaffolds() {
  static const std::vector<Scaffold> all = {
      {"exp2", ScaffoldKind::exp2_round, "exp2", "exp2", -0.5, 0.5, "relative",
       "n = nearest integer to x, r = x - n (exact) in [-1/2, 1/2]; 2^x = core(r) * 2^n", "all x", "all x"},
      {"exp2_floor", ScaffoldKind::exp2_floor, "exp2", "exp2", 0.0, 1.0, "relative",
       "n = floor(x) (or x - 1 at integers), r = x - n in [0, 1] (exact except for x in (-1/2, 0), where it "
       "rounds; slightly below 0 for tiny negative x); 2^x = core(r) * 2^n",
       "all x", "all x"},
      {"exp", ScaffoldKind::exp, "exp", "exp", -kHalfLn2, kHalfLn2, "relative",
       "n = nearest integer to x/ln2, r = x - n*ln2 (Cody-Waite, two-part ln2) in [-ln2/2, ln2/2]; "
       "e^x = core(r) * 2^n",
       "all x", "all x", true, true},
      {"log2", ScaffoldKind::log2, "log2", "log2p1", kLogLo, kLogHi, "relative",
       "x = m * 2^e, m in [sqrt(1/2), sqrt(2)), t = m - 1 (exact); log2(x) = e + core(t)", "all x", "all x"},
      {"log", ScaffoldKind::log, "log", "log1p", kLogLo, kLogHi, "relative",
       "x = m * 2^e, m in [sqrt(1/2), sqrt(2)), t = m - 1 (exact); ln(x) = e*ln2 + core(t) (two-part ln2)", "all x",
       "all x"},
      {"sin", ScaffoldKind::sin, "sin", "sin", -kHalfPi, kHalfPi, "relative",
       "n = nearest integer to x/pi, r = x - n*pi (in double, four-part pi/2) in [-pi/2, pi/2]; "
       "sin(x) = core((-1)^n r)",
       kSinValidF, kSinValidD, true, false},
      {"cos", ScaffoldKind::cos, "cos", "sin", -kHalfPi, kHalfPi, "relative",
       "k = nearest integer to x/pi - 1/2, r = x - (k + 1/2)*pi (in double, four-part pi/2) in [-pi/2, pi/2]; "
       "cos(x) = core((-1)^(k+1) r), the same sin core as the sin scaffold",
       kSinValidF, kSinValidD, true, false},
  };
  return all;
}

const Scaffold* find_scaffold(std::string_view name) {
  for (const auto& s : scaffolds())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> scaffold_names() {
  std::vector<std::string> names;
  for (const auto& s : scaffolds()) names.emplace_back(s.name);
  return names;
}

std::vector<std::string> scaffold_choices() {
  std::vector<std::string> names = scaffold_names();
  names.insert(names.begin(), "none");
  return names;
}

std::string scaffold_includes(SourceLang lang) {
  return lang == SourceLang::cpp ? "#include <cmath>\n#include <cstdint>\n#include <cstring>\n"
                                 : "#include <math.h>\n#include <stdint.h>\n#include <string.h>\n";
}

namespace {

// The templates' variables for a scaffold in a type and language.
std::map<std::string, std::string> variables(const Scaffold& s, std::string_view type, SourceLang lang,
                                             std::string_view core_fn, std::string_view fn) {
  if (type != "float" && type != "double")
    throw std::invalid_argument("scaffolds are emitted for float or double, not " + std::string(type));
  const bool f = type == "float";
  const bool cpp = lang == SourceLang::cpp;
  const std::string ns = cpp ? "std::" : "";
  auto lit = [&](double v) { return source_literal(v, type); };
  return {
      {"T", std::string(type)},
      {"U", ns + (f ? "uint32_t" : "uint64_t")},
      {"U64", ns + "uint64_t"},
      {"CPY", ns + "memcpy"},
      {"FMA", cpp ? "std::fma" : f ? "fmaf" : "fma"},
      {"INL", cpp ? "inline " : "static inline "},
      {"FN", std::string(fn)},
      {"CORE", std::string(core_fn)},
      {"MANT", f ? "23" : "52"},
      {"ZERO", lit(0)},
      {"ONE", lit(1)},
      {"INF", f ? "(float)INFINITY" : "(double)INFINITY"},
      {"NAN", f ? "(float)NAN" : "(double)NAN"},
      // 1.5 * 2^p: adding it rounds to an integer held in the low mantissa bits.
      {"SHIFT", lit(f ? 0x1.8p23 : 0x1.8p52)},
      // s1's exponent field for x > 0 and otherwise: bias - 1 and bias + 24 (53), shifted.
      {"BPOS", f ? hex_u(126u << 23, false) : hex_u(1022ull << 52, true)},
      {"BNEG", f ? hex_u(151u << 23, false) : hex_u(1076ull << 52, true)},
      {"TWO", lit(2)},
      {"TINY", lit(f ? 0x1p-24 : 0x1p-53)},
      {"FLOORADJ", s.kind == ScaffoldKind::exp2_floor ? " - " + lit(0.5) : ""},
      // Above XHI the result is +Inf, below XLO 0; between them n is in [NMIN, NMAX] =
      // [-150, 128] (float) or [-1075, 1024] (double). exp: the largest x whose e^x is finite,
      // and the smallest whose e^x does not round to 0. exp2: at XLO itself 2^x is half the
      // smallest subnormal, a tie that rounds to 0 (even), and where the floor form's n would
      // be NMIN - 1 (-1075.5 rounds to -1076), so XLO is 0 too.
      {"XHI", s.kind == ScaffoldKind::exp ? lit(f ? 0x1.62e42ep+6 : 0x1.62e42fefa39efp+9) : lit(f ? 128 : 1024)},
      {"XLO", s.kind == ScaffoldKind::exp ? lit(f ? -0x1.9fe368p+6 : -0x1.74910d52d3051p+9) : lit(f ? -150 : -1075)},
      {"XLOCMP", s.kind == ScaffoldKind::exp ? "<" : "<="},
      {"LOG2E", lit(f ? 0x1.715476p+0 : 0x1.71547652b82fep+0)},
      // ln2 split for Cody-Waite: HI has 15 (float) or 32 (double) significant bits.
      {"LN2HI", lit(f ? 0x1.62e4p-1 : 0x1.62e42feep-1)},
      {"LN2LO", lit(f ? 0x1.7f7d1cp-20 : 0x1.a39ef35793c76p-33)},
      // log: the exponent split.
      {"MINNORM", lit(f ? 0x1p-126 : 0x1p-1022)},
      {"SUBSCALE", lit(f ? 0x1p23 : 0x1p52)},
      {"SUBEXP", lit(f ? -23 : -52)},
      {"ONE_BITS", f ? hex_u(0x3f800000u, false) : hex_u(0x3ff0000000000000ull, true)},
      {"SQRTH_BITS", f ? hex_u(0x3f3504f3u, false) : hex_u(0x3fe6a09e667f3bcdull, true)},
      {"MANT_MASK", f ? hex_u(0x007fffffu, false) : hex_u(0x000fffffffffffffull, true)},
      {"EMAGIC_BITS", f ? hex_u(0x4b000000u, false) : hex_u(0x4330000000000000ull, true)},
      {"EMAGIC", lit(f ? 0x1p23 + 127 : 0x1p52 + 1023)},
      // sin/cos: 1/pi and pi/2 in four parts; the first three with 23 (float: |j| < 2^30)
      // or 32 (double: |j| < 2^21) significant bits, so j * Pk is exact.
      {"INVPI", "0x1.45f306dc9c883p-2"},
      {"P1", f ? "0x1.921fb4p+0" : "0x1.921fb544p+0"},
      {"P2", f ? "0x1.4442dp-24" : "0x1.0b4611a6p-34"},
      {"P3", f ? "0x1.846988p-48" : "0x1.3198a2ep-69"},
      {"P4", f ? "0x1.8cc51701b839ap-72" : "0x1.b839a252049c1p-104"},
      {"LIMIT", lit(f ? 0x1p30 : 0x1p21)},
      {"COSADJ", s.kind == ScaffoldKind::cos ? " - 0.5" : ""},
      {"JODD", s.kind == ScaffoldKind::cos ? " + 1" : ""},
      {"PARITY", s.kind == ScaffoldKind::cos ? " ^ 1u" : ""},
      {"QNAN_BITS", f ? hex_u(0x7fc00000u, false) : hex_u(0x7ff8000000000000ull, true)},
      {"ZEROSEL", ""},
      {"V", vector_type(type)},
      {"VSET", vector_helper(type, "set")},
      {"VFMA", vector_helper(type, "fma")},
      {"VSCALEF", vector_helper(type, "scalef")},
  };
}

}  // namespace

std::string emit_scaffold(const Scaffold& s, std::string_view type, SourceLang lang, std::string_view core_fn,
                          std::string_view fn, bool core_keeps_nan) {
  auto v = variables(s, type, lang, core_fn, fn);
  const bool f = type == "float";
  switch (s.kind) {
    case ScaffoldKind::exp2_round:
    case ScaffoldKind::exp2_floor:
    case ScaffoldKind::exp:
      v["RESULT"] = fill(core_keeps_nan ? kScaleResult : kScaleResultGuarded, v);
      return fill(std::string(s.kind == ScaffoldKind::exp ? kExp : kExp2) + std::string(kScale), v);
    case ScaffoldKind::log2: v["COMBINE"] = fill(kLog2Combine, v); return fill(kLog, v);
    case ScaffoldKind::log: v["COMBINE"] = fill(kLogCombine, v); return fill(kLog, v);
    case ScaffoldKind::sin:
    case ScaffoldKind::cos:
      v["REDUCE"] = fill(f ? kReduceFloat : kReduceDouble, v);
      if (s.kind == ScaffoldKind::sin) v["ZEROSEL"] = fill(kSinZero, v);
      return fill(kSinCos, v);
  }
  return {};
}

bool has_vector_form(const Scaffold& s) {
  return s.kind == ScaffoldKind::exp || s.kind == ScaffoldKind::exp2_round || s.kind == ScaffoldKind::exp2_floor;
}

std::optional<std::string> emit_vector_scaffold(const Scaffold& s, std::string_view type, std::string_view core_fn,
                                                std::string_view fn, bool core_keeps_nan) {
  if (!has_vector_form(s)) return std::nullopt;
  auto v = variables(s, type, SourceLang::cpp, core_fn, fn);
  v["VRESULT"] = fill(core_keeps_nan ? kScaleResultVector : kScaleResultVectorGuarded, v);
  return fill(std::string(s.kind == ScaffoldKind::exp ? kExpVector : kExp2Vector) + std::string(kScaleVector), v);
}

}  // namespace evo::funcapprox
