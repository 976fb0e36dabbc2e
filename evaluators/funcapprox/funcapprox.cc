#include "evaluators/funcapprox/funcapprox.h"
#include "evaluators/funcapprox/baselines.h"
#include "evaluators/funcapprox/decimal.h"
#include "evaluators/funcapprox/minimax_fit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "evaluators/native/codegen.h"
#include "hashing/functional_hash.h"
#include "search/errors.h"
#include "search/interpreter.h"
#include "search/program_text.h"

namespace evo::funcapprox {
namespace {

std::string interval_check(const std::string& v) {
  auto parts = split(v, ':');
  double lo = 0, hi = 0;
  if (parts.size() != 2 || !parse_real(parts[0], lo) || !parse_real(parts[1], hi)) return "expected LO:HI, e.g. 0:1";
  if (!(lo < hi)) return "LO must be below HI";
  return {};
}

std::string hash_bits_check(const std::string& v) {
  if (v == "auto") return {};
  return integer_in(1, 52)(v);
}

// The arithmetic ops, those before const in the op table; the ones after it are guarded
// variants and tensor reductions for update rules (exp saturating at e^64, rms, ...), which
// have no place in a kernel and would hand the search exp itself.
std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (const auto& info : kOpTable) {
    if (info.op == Op::const_) break;
    names.emplace_back(info.name);
  }
  return names;
}

template <class T>
T round_to(long double v) {
  return static_cast<T>(v);
}

}  // namespace

std::vector<SettingSpec> FuncApprox::settings() {
  return {
      {"target", "exp2", "function to approximate", one_of(target_names())},
      {"interval", "0:1", "interval LO:HI the error is measured on (both ends included)", interval_check},
      {"scaffold", "none",
       "range reduction the core is searched for (scaffold.h): sets target, interval and error; exports "
       "emit the whole-range function",
       one_of(scaffold_choices())},
      {"max_ops", "10", "op-cost budget: weighted ops that depend on x (fma counts 2)", integer_in(1, 200)},
      {"fma_cost", "2", "what one fma counts towards cost and max_ops: 2 (a multiply and an add) or 1 (one instruction)",
       integer_in(1, 2)},
      {"points", "1024", "evenly spaced points the error is measured on", integer_in(2, 10000000)},
      {"precision", "float64",
       "float32|float64: evaluated exactly as compiled code of that type; real: in long double",
       one_of({"float32", "float64", "real"})},
      {"error", "auto",
       "relative|absolute|ulp|auto: ulp is the error in units in the last place of the reference in the "
       "precision's type (float for float32, double otherwise); auto is relative unless the target is 0 or "
       "changes sign on the interval, and the scaffold's choice (relative) for a scaffold core",
       one_of({"auto", "relative", "absolute", "ulp"})},
      {"argument_rounding", "auto",
       "auto: with a scaffold whose reduction rounds the core's argument (exp; sin and cos in float32), the "
       "error at each point adds what that rounding can add (|f'| times half an ulp of the point, in the "
       "error's units), so the grid error bounds the whole-range error at the arguments rounding to the "
       "grid; ignore: the core's error alone. Not for precision=real",
       one_of({"auto", "ignore"})},
      {"ops", "add,sub,mul,div,fma", "ops the search may use", list_of(op_names())},
      {"hash_bits", "auto",
       "mantissa bits kept by the functional hash (auto: 44 for float64/real, 23 for float32)", hash_bits_check},
      {"init", "random",
       "start population: random (a few random ops on x), trivial (y = x), minimax (the minimax polynomial "
       "of the highest degree within max_ops, in Horner form with fma: the search improves on it), or "
       "polynomials (a quarter of the members the minimax polynomials of every degree within max_ops, the "
       "rest random: a front that starts at least as good as the polynomials at every cost)",
       one_of({"random", "trivial", "minimax", "polynomials"})},
      {"fit", "structural",
       "fit constants with a local optimiser (long double, max error on 1/8 of the grid): after structural "
       "mutations and for start programs (structural), after every mutation (all), or never (none)",
       one_of({"structural", "all", "none"})},
      {"fit_evals", "200", "program evaluations one constant fit may spend", integer_in(1, 100000)},
      {"measure_interval", "auto",
       "float32 only: LO:HI checked on every float when the run ends (evo measure); auto: the interval, or "
       "with a scaffold the whole range where it is valid",
       [](const std::string& v) {
         if (v == "auto") return std::string();
         if (auto e = interval_check(v); !e.empty()) return e;
         const auto parts = split(v, ':');
         double lo = 0, hi = 0;
         parse_real(parts[0], lo);
         parse_real(parts[1], hi);
         return std::fabs(lo) <= 3.4028234663852886e38 && std::fabs(hi) <= 3.4028234663852886e38
                    ? std::string()
                    : std::string("LO and HI must be finite float32 values");
       }},
      {"cost", "ops",
       "what the search trades error against: ops (the weighted op count; deterministic) or time (ns per "
       "element of the compiled kernel, relative to the degree-5 minimax polynomial timed beside it, for "
       "programs with error <= error_bound; measured, so runs are not reproducible from the seed)",
       one_of({"ops", "time"})},
      {"error_bound", "auto",
       "cost=time: the error at or below which a program is timed (auto: 1 for error=ulp, else one ulp of "
       "the type relative: 2^-23 for float32, 2^-52 for float64)",
       [](const std::string& v) {
         double b = 0;
         if (v == "auto" || (parse_real(v, b) && b > 0 && std::isfinite(b))) return std::string();
         return std::string("expected auto or a positive number");
       }},
      {"fit_start", "current",
       "where the lm fit starts: current (the program's constants) or series (the better of those and the "
       "constants that match the target's Taylor series about the interval's ends and middle, as Pade does; "
       "about 3x the time per candidate, far lower errors for the same CPU time in long searches)",
       one_of({"current", "series"})},
      {"fit_method", "lm",
       "constant fitting: simplex (NLopt Subplex on the maximum error) or lm (Levenberg-Marquardt with "
       "reweighting from least squares towards minimax)",
       one_of({"simplex", "lm"})},
  };
}

FuncApprox::FuncApprox(const Settings& s) {
  target_ = find_target(s.str("target"));
  const auto iv = split(s.str("interval"), ':');
  parse_real(iv[0], lo_);
  parse_real(iv[1], hi_);
  apply_scaffold(s);
  if (lo_ < target_->domain_lo || (target_->open_lo && lo_ <= target_->domain_lo) || hi_ > target_->domain_hi)
    throw InputError("interval " + s.str("interval") + " is outside where " + std::string(target_->name) +
                     " is defined (x > " + decimal(target_->domain_lo) + ")");
  points_ = static_cast<int>(s.integer("points"));
  const std::string prec = s.str("precision");
  precision_ = prec == "float32" ? Precision::float32 : prec == "real" ? Precision::real : Precision::float64;
  if (precision_ == Precision::float32 && (std::fabs(lo_) > 3.4e38 || std::fabs(hi_) > 3.4e38))
    throw InputError("interval " + s.str("interval") + " does not fit in float32");
  hash_bits_ = s.str("hash_bits") == "auto" ? (precision_ == Precision::float32 ? 23 : 44)
                                              : static_cast<int>(s.integer("hash_bits"));
  max_cost_ = static_cast<double>(s.integer("max_ops"));
  weights_ = default_op_weights();
  weights_[static_cast<std::size_t>(Op::fma)] = static_cast<double>(s.integer("fma_cost"));
  init_ = s.str("init");

  Signature sig;
  sig.inputs = {"x"};
  sig.outputs = {"y"};
  sig_ = intern_signature(sig);
  for (const auto& name : s.list("ops")) space_.ops.push_back(*op_from_name(name));
  space_.max_instructions = static_cast<int>(2 * max_cost_ + 2);
  // Constant subexpressions fold in the evaluation type, and in double for `real`. Folding
  // in long double would not fit the stored (double) constants; not folding at all lets
  // chains of constant-only instructions pile up in a real search until they fill
  // max_instructions, take most of the mutations, and block inserts (2^x at 10 ops: a
  // quarter to a third of the CPU, and far lower errors on two seeds of three,
  // bench/RESULTS.md). Each folded op is rounded to double; the program evaluated and
  // stored is the folded one.
  space_.fold = precision_ == Precision::float32 ? FoldPrecision::float32 : FoldPrecision::float64;

  // Grid points rounded to the evaluation type, so the reference is taken exactly where
  // the candidate is evaluated.
  auto to_type = [&](long double v) -> long double {
    switch (precision_) {
      case Precision::float32: return round_to<float>(v);
      case Precision::float64: return round_to<double>(v);
      case Precision::real: return v;
    }
    return v;
  };
  x_.resize(points_);
  for (int i = 0; i < points_; ++i) {
    const long double t = static_cast<long double>(i) / (points_ - 1);
    x_[i] = to_type(i == points_ - 1 ? static_cast<long double>(hi_) : lo_ + (static_cast<long double>(hi_) - lo_) * t);
  }
  ref_.resize(points_);
  ref_hi_.resize(points_);
  ref_lo_.resize(points_);
  bool zero_or_sign_change = false, zero_on_grid = false;
  for (int i = 0; i < points_; ++i) {
    ref_[i] = target_->reference(x_[i]);
    ref_hi_[i] = static_cast<double>(ref_[i]);
    ref_lo_[i] = static_cast<double>(ref_[i] - ref_hi_[i]);
    zero_on_grid |= ref_[i] == 0;
    if (ref_[i] == 0 || (i > 0 && std::signbit(ref_[i]) != std::signbit(ref_[0]))) zero_or_sign_change = true;
    if (!std::isfinite(ref_hi_[i]))
      throw InputError(std::string(target_->name) + " is not finite in double at x = " +
                       decimal(static_cast<double>(x_[i])) +
                       "; choose a smaller interval");
  }
  // A scaffold's core is searched with relative error (ULPs of the whole-range result), also
  // where it changes sign: only a grid point at an exact zero makes that undefined.
  // A scaffold core is searched with relative error (ULPs of the whole-range result are
  // relative error up to a factor 2); error=ulp is the alternative, measured in the type.
  std::string mode = s.str("error");
  if (mode == "auto" && scaffold_) mode = std::string(scaffold_->core_error);
  if (mode == "auto") mode = zero_or_sign_change ? "absolute" : "relative";
  error_kind_ = mode;
  relative_ = mode != "absolute";  // ulp is relative error up to the factor 2 within a binade
  if (relative_ && (scaffold_ ? zero_on_grid : zero_or_sign_change))
    throw InputError(mode + " error is undefined: " + std::string(target_->name) + " is zero on " + s.str("interval") +
                     " (use error=absolute)");
  inv_scale_.resize(points_);
  for (int i = 0; i < points_; ++i)
    inv_scale_[i] = error_kind_ == "relative" ? 1.0 / std::fabs(ref_hi_[i]) : static_cast<double>(error_weight(ref_[i]));
  setup_argument_rounding(s);

  xf_.assign(x_.begin(), x_.end());
  xd_.assign(x_.begin(), x_.end());

  const std::string fit = s.str("fit");
  fit_policy_ = fit == "all" ? FitPolicy::all : fit == "none" ? FitPolicy::none : FitPolicy::structural;
  // How to fit is refused where nothing is fitted, and where the method does not use it.
  for (const char* key : {"fit_evals", "fit_method", "fit_start"})
    if (fit_policy_ == FitPolicy::none && !is_default(settings(), s, key))
      throw InputError(std::string(key) + " applies when constants are fitted (fit=structural or all), not with fit=none");
  if (s.str("fit_method") != "lm" && !is_default(settings(), s, "fit_start"))
    throw InputError("fit_start applies to fit_method=lm only");
  fit_.max_evals = static_cast<int>(s.integer("fit_evals"));
  fit_lm_ = s.str("fit_method") == "lm";
  if (fit_lm_ && s.str("fit_start") == "series") setup_series_start();
  measure_interval_ = s.str("measure_interval");
  if (measure_interval_ != "auto") {
    if (precision_ != Precision::float32)
      throw InputError("measure_interval applies to precision=float32 only (the check of every float32)");
    // Without a scaffold the program is defined on its interval alone.
    const auto colon = measure_interval_.find(':');
    const double from = std::stod(measure_interval_.substr(0, colon)), to = std::stod(measure_interval_.substr(colon + 1));
    if (!scaffold_ && (from < lo_ || to > hi_))
      throw InputError("measure_interval=" + measure_interval_ + " must lie within interval=" + s.str("interval") +
                       ", where the program is defined");
  }
  setup_time_cost(s);
  for (int i = 0; i < points_; ++i) {
    if (i % 8 != 0 && i != points_ - 1) continue;  // every 8th point and the last
    fit_.x.push_back(x_[i]);
    fit_.ref.push_back(ref_[i]);
    fit_.inv_scale.push_back(error_weight(ref_[i]));
  }

  // Probe inputs: both endpoints and 14 fixed pseudo-random interior points.
  Rng probe_rng(0x70726f6265ULL);
  probes_ = {to_type(lo_), to_type(hi_)};
  for (int i = 0; i < 14; ++i) probes_.push_back(to_type(lo_ + (static_cast<long double>(hi_) - lo_) * probe_rng.uniform()));
  if (init_ == "minimax" || init_ == "polynomials") setup_polynomial_starts();
}

// init=minimax: the start population is the polynomial a numerical library would ship at this
// cost, and the search sets out to improve on it. init=polynomials: those of every degree
// within the cost, beside random programs.
void FuncApprox::setup_polynomial_starts() {
  auto allowed = [&](const Program& p) {
    for (const Instr& in : p.code)
      if (in.op != Op::const_ && std::find(space_.ops.begin(), space_.ops.end(), in.op) == space_.ops.end()) return false;
    return admissible(p);
  };
  // Horner form costs one fma per degree; `evo baselines` builds degrees up to 20.
  const int highest = std::min(20, static_cast<int>(max_cost_ / weights_[static_cast<std::size_t>(Op::fma)]));
  for (int degree = highest; degree >= 1; --degree) {
    double best = INFINITY;
    std::optional<Program> chosen;
    for (Program& form : minimax_forms(*this, degree)) {
      if (!allowed(form)) continue;
      const Evaluation ev = evaluate(form);
      if (ev.valid && ev.values[0] < best) best = ev.values[0], chosen = std::move(form);
    }
    if (!chosen) continue;
    polynomial_starts_.push_back(std::move(*chosen));
    if (init_ == "minimax") break;
  }
  if (polynomial_starts_.empty())
    throw InputError("init=" + init_ + ": no minimax polynomial of " + std::string(target_->name) +
                     " in Horner form (fma, mul, sub) is valid within max_ops=" + std::to_string(static_cast<int>(max_cost_)) +
                     " and the ops setting");
}

template <>
const std::vector<float>& FuncApprox::grid_as<float>() const { return xf_; }
template <>
const std::vector<double>& FuncApprox::grid_as<double>() const { return xd_; }
template <>
const std::vector<long double>& FuncApprox::grid_as<long double>() const { return x_; }

// What an error at a point is multiplied by: 1/|f(x)| (relative), 1 (absolute), or 1/ulp(f(x))
// in the precision's type (ulp; spacing of that type's numbers in f(x)'s binade).
long double FuncApprox::error_weight(long double ref) const {
  if (error_kind_ == "absolute") return 1.0L;
  if (error_kind_ == "relative") return 1.0L / std::fabs(ref);
  const bool single = precision_ == Precision::float32;
  int e = 0;
  std::frexp(static_cast<double>(ref), &e);  // |ref| in [2^(e-1), 2^e)
  const int mant = single ? 23 : 52, emin = single ? -126 : -1022;
  return std::ldexp(1.0L, -(std::max(e - 1, emin) - mant));
}

std::string FuncApprox::value_type() const {
  switch (precision_) {
    case Precision::float32: return "float";
    case Precision::float64: return "double";
    case Precision::real: return "long double";
  }
  return "double";
}

std::string FuncApprox::describe() const {
  const char* prec = precision_ == Precision::float32 ? "float32" : precision_ == Precision::float64 ? "float64" : "real";
  return std::string(target_->name) + " on [" + decimal(lo_) + ", " + decimal(hi_) + "], " + prec + ", max " +
         error_kind_ + " error over " + std::to_string(points_) + " points, cost <= " +
         decimal(max_cost_) + (weights_[static_cast<std::size_t>(Op::fma)] == 1 ? " (fma counts 1)" : "") +
         (argument_rounds_ ? ", error includes the argument's rounding" : "") +
         (time_cost_ ? ", timed when error <= " + decimal(error_bound_) : "");
}

std::vector<ObjectiveSpec> FuncApprox::objectives() const {
  std::vector<ObjectiveSpec> out = {{"error", true, true, "maximum " + error_kind_ + " error on the grid"}};
  for (auto& o : time_cost_objectives()) out.push_back(std::move(o));
  ObjectiveSpec cost{"cost", true, false, "weighted count of the ops that depend on x"};
  if (time_cost_) {
    cost.steers = false;
    cost.help += " (recorded, not searched on: cost=time, except among programs not yet timed)";
    // Until a program is within the bound every time is +Inf: op cost keeps a front of
    // (error, cost) among them instead of one member, the most accurate.
    out[1].unmeasured_by = out.size();
  }
  out.push_back(std::move(cost));
  return out;
}

std::string FuncApprox::fingerprint() const {
  const char* prec = precision_ == Precision::float32 ? "float32" : precision_ == Precision::float64 ? "float64" : "real";
  return "funcapprox/1 target=" + std::string(target_->name) + " interval=" + hex_double(lo_) + ":" + hex_double(hi_) +
         " points=" + std::to_string(points_) + " precision=" + prec + " error=" + error_kind_ +
         " hash_bits=" + std::to_string(hash_bits_) + (argument_rounds_ ? " argument_rounding=half_ulp" : "") +
         time_cost_fingerprint();
}

Program FuncApprox::initial_program(Rng& rng) const {
  if (init_ == "minimax") return polynomial_starts_.front();
  if (init_ == "polynomials" && rng.chance(0.25))
    return polynomial_starts_[static_cast<std::size_t>(rng.below(static_cast<int>(polynomial_starts_.size())))];
  Program p = trivial_program(sig_);
  if (init_ == "trivial") return p;
  const int inserts = 1 + rng.below(3);
  for (int i = 0; i < inserts; ++i) {
    Program next = p;
    if (mutate_insert(next, space_, rng) && admissible(next)) p = std::move(next);
  }
  return p;
}

bool FuncApprox::admissible(const Program& p) const {
  return static_cast<int>(p.code.size()) <= space_.max_instructions && program_cost(p, weights_) <= max_cost_;
}

void FuncApprox::polish(Program& p, MutationKind kind) const {
  if (fit_policy_ == FitPolicy::none) return;
  // init=minimax|polynomials: a polynomial start is scored as the library's polynomial it is,
  // not refitted.
  if (kind == MutationKind::none && std::find(polynomial_starts_.begin(), polynomial_starts_.end(), p) != polynomial_starts_.end())
    return;
  if (fit_policy_ == FitPolicy::structural && kind == MutationKind::perturb_constant) return;
  if (fit_lm_) {
    start_from_series(p);
    fit_constants_minimax(p, fit_);
  }
  else
    fit_constants(p, fit_);
  fold_constants(p, space_.fold);
}

template <class T>
Hash128 FuncApprox::hash_as(const Program& p) const {
  thread_local Interpreter<T> interp;
  T x[16], y[16];
  for (std::size_t i = 0; i < probes_.size(); ++i) x[i] = static_cast<T>(probes_[i]);
  interp.run(p, x, y, probes_.size());
  FunctionalHasher h(hash_bits_);
  h.add(std::span<const T>(y, probes_.size()));
  return h.digest();
}

Hash128 FuncApprox::functional_hash(const Program& p) const {
  switch (precision_) {
    case Precision::float32: return hash_as<float>(p);
    case Precision::float64: return hash_as<double>(p);
    case Precision::real: return hash_as<long double>(p);
  }
  return {};
}

template <class T>
Evaluation FuncApprox::evaluate_as(const Program& p) const {
  thread_local Interpreter<T> interp;
  thread_local std::vector<T> y;
  const std::vector<T>& x = grid_as<T>();
  y.resize(x.size());
  interp.run(p, x.data(), y.data(), x.size());

  Evaluation ev;
  double worst = 0;
  bool finite = true;
  if constexpr (std::is_same_v<T, long double>) {
    for (std::size_t i = 0; i < y.size(); ++i) {
      finite &= std::isfinite(y[i]);
      const double e = static_cast<double>(std::fabs(y[i] - ref_[i])) * inv_scale_[i] + slack_[i];
      worst = e > worst ? e : worst;
    }
  } else {
    // y - hi is exact when y is near the reference, so the double-double difference is
    // accurate to far below the error being measured. A NaN or Inf output makes e NaN or
    // Inf, which the count below catches; the loop vectorises (max and sum reductions).
    const double* hi = ref_hi_.data();
    const double* lo = ref_lo_.data();
    const double* inv = inv_scale_.data();
    const double* slack = slack_.data();
    const std::size_t n = y.size();
    int bad = 0;
#pragma omp simd reduction(max : worst) reduction(+ : bad)
    for (std::size_t i = 0; i < n; ++i) {
      const double e = std::fabs((static_cast<double>(y[i]) - hi[i]) - lo[i]) * inv[i] + slack[i];
      bad += !(e <= 1.7976931348623157e308);
      worst = std::max(worst, e);
    }
    finite = bad == 0;
  }
  if (!finite || !std::isfinite(worst)) {
    for (std::size_t i = 0; i < y.size(); ++i)
      if (!std::isfinite(static_cast<double>(y[i]))) {
        ev.valid = false;
        ev.reason = "non-finite output at x=" + decimal(static_cast<double>(x_[i]));
        return ev;
      }
    ev.valid = false;
    ev.reason = "error overflows";
    return ev;
  }
  ev.values = {worst};
  return ev;
}

Evaluation FuncApprox::evaluate(const Program& p) const {
  Evaluation ev;
  switch (precision_) {
    case Precision::float32: ev = evaluate_as<float>(p); break;
    case Precision::float64: ev = evaluate_as<double>(p); break;
    case Precision::real: ev = evaluate_as<long double>(p); break;
  }
  mark_for_timing(ev);
  return ev;
}

std::vector<double> FuncApprox::structural_objectives(const Program& p) const { return {program_cost(p, weights_)}; }

std::string FuncApprox::render(const Program& p, std::string_view lang, const RenderContext& ctx) const {
  if (lang == "text") return to_text(p);
  if (scaffold_) return render_scaffolded(p, lang, ctx);  // scaffold_render.cc
  const bool c = lang == "c";
  const std::string type = value_type();
  const std::string fn = "evo_" + std::string(target_->name);
  std::string out;
  out += "// " + fn + ": approximates " + std::string(target_->math) + " for x in [" + decimal(lo_) + ", " +
         decimal(hi_) + "]\n";
  out += "// Generated by evo";
  if (ctx.candidate) out += " from candidate " + std::to_string(ctx.candidate) + " of run " + std::to_string(ctx.run);
  out += ".\n";
  for (const auto& [name, value] : ctx.objectives) {
    if (name == "error")
      out += "// Measured max " + error_kind_ + " error: " + decimal(value) + " over " +
             std::to_string(points_) + " evenly spaced points (" + value_type() + " arithmetic).\n";
    else
      out += "// " + name + ": " + decimal(value) + "\n";
  }
  out += "// Outside the interval the error is not measured. Compile with -ffp-contract=off (no fused\n"
         "// multiply-add except where the code calls fma) to get the measured results bit for bit.\n";
  out += c ? "#ifndef EVO_" : "#pragma once\n";
  if (c) {
    std::string guard;
    for (char ch : fn) guard += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    out += guard.substr(4) + "_H\n#define EVO_" + guard.substr(4) + "_H\n";
  }
  out += c ? "#include <math.h>\n#include <stddef.h>\n\n" : "#include <cmath>\n#include <cstddef>\n\n";
  out += std::string(c ? "static inline " : "inline ") + type + " " + fn + "(" + type + " x) {\n";
  out += emit_statements(p, type, c ? SourceLang::c : SourceLang::cpp, "  ");
  out += "  return " + register_name(p, p.outputs[0]) + ";\n}\n\n";
  out += "// Loop form; the compiler vectorises it (inline scalar body, no calls).\n";
  out += std::string(c ? "static inline void " : "inline void ") + fn + "_n(const " + type + "* in, " + type + "* out, " +
         (c ? "size_t" : "std::size_t") + " n) {\n";
  out += std::string("  for (") + (c ? "size_t" : "std::size_t") + " i = 0; i < n; ++i) out[i] = " + fn + "(in[i]);\n}\n";
  if (c) out += "#endif\n";
  return out;
}

}  // namespace evo::funcapprox
