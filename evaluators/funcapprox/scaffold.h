// Range-reduction scaffolds: turn a core program, searched on a small interval, into a
// function valid over the whole float or double range ("whole-range kernel").
//
// The search measures only the core on its interval. The scaffold maps any x to the core's
// argument exactly (or to within far less than the core's error), calls the core once, and
// puts the result back together with bit manipulation and selects, so the emitted function
// stays branch-free and GCC vectorises a loop over it. Special values (NaN, infinities,
// zeros, overflow, gradual underflow, subnormal inputs) come out as the C library's do.
#pragma once

#include "search/program.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluators/native/codegen.h"

namespace evo::funcapprox {

enum class ScaffoldKind { exp2_round, exp2_floor, exp, log2, log, sin, cos };

struct Scaffold {
  std::string_view name;         // setting value, e.g. "exp"
  ScaffoldKind kind;
  std::string_view whole;        // whole-range target (targets.h), e.g. "exp"
  std::string_view core_target;  // the core's target, e.g. "log2p1"
  double core_lo, core_hi;       // the core's interval
  // Error the core is searched with. Relative, because the whole-range result is judged in
  // ULPs, and a core with a small relative error gives a small ULP error after scaling.
  std::string_view core_error;
  std::string_view reduction;    // how x maps to the core's argument, for export comments
  std::string_view valid_float;  // where the whole-range function is accurate, per type
  std::string_view valid_double;
  // Whether the reduction rounds the core's argument, per type (exp: Cody-Waite's last step;
  // sin and cos in float: r computed in double, then rounded). The exact argument is then
  // up to half an ulp away from the one the core sees, which adds to the whole-range error.
  bool argument_rounds_float = false;
  bool argument_rounds_double = false;
};

const std::vector<Scaffold>& scaffolds();
const Scaffold* find_scaffold(std::string_view name);  // nullptr when unknown
std::vector<std::string> scaffold_names();
std::vector<std::string> scaffold_choices();  // "none" and every name: funcapprox's scaffold setting

// The headers emit_scaffold()'s code uses (<cmath>, <cstdint>, <cstring> or the C ones).
std::string scaffold_includes(SourceLang lang);

// Source of the whole-range scalar function `fn` (type is "float" or "double"), which
// calls `core_fn`, a function of the same type defined before it (emit_statements()).
// Declared `inline` in C++ and `static inline` in C. Expects IEEE semantics: compile
// without -ffast-math (the rounding tricks and the special-value selects rely on it).
// core_keeps_nan: the core returns NaN for a NaN argument (see keeps_nan()), so the exp
// scaffolds need no guard of their own for NaN inputs.
std::string emit_scaffold(const Scaffold& s, std::string_view type, SourceLang lang, std::string_view core_fn,
                          std::string_view fn, bool core_keeps_nan = false);

bool has_vector_form(const Scaffold& s);  // whether emit_vector_scaffold() gives one (the exp scaffolds)

// The same whole-range function on AVX-512 vectors of `type` (vector_codegen.h), `fn` taking
// and returning vector_type(type) and calling `core_fn`, the core's vector form: for the exp
// scaffolds, whose 2^n becomes one scalef; nullopt for the others. Needs vector_prelude(type)
// before it; its results are bit-identical to emit_scaffold()'s for any core whose result is
// a normal number below 2^104 (double: 2^971), i.e. any core near its target.
std::optional<std::string> emit_vector_scaffold(const Scaffold& s, std::string_view type, std::string_view core_fn,
                                                std::string_view fn, bool core_keeps_nan = false);

// An array loop over the vector form (emit_vector_scaffold()) with the core's vector form
// (emit_vector_statements()) before it, named after `prefix`: `loop_head` (e.g. "void k(const
// float* in, float* out, std::size_t n)") runs it on whole vectors and masks the last partial
// one. Includes vector_prelude(type); to be placed inside `#if defined(__AVX512F__)`. nullopt
// when the scaffold or one of the core's ops has no vector form.
std::optional<std::string> emit_vector_loop(const Program& core, const Scaffold& s, std::string_view type,
                                            const std::string& prefix, const std::string& loop_head);

// `loop_head` over the scalar whole-range function `fn`, element by element; the compiler
// vectorises it (inline scalar body, no calls). `size` is "std::size_t" or "size_t".
std::string emit_scalar_loop(const std::string& loop_head, const std::string& fn, const std::string& size);

// Whether a core program returns NaN whenever its input is NaN: its output depends on the
// input and it uses IEEE arithmetic only (min, max and sign can drop a NaN).
bool keeps_nan(const Program& core);

}  // namespace evo::funcapprox
