// AVX-512 source for programs: the same arithmetic as emit_statements(), on 16 floats or 8
// doubles at a time, written with GCC's vector extensions and intrinsics. Compiled kernels
// use it where a scalar loop would leave speed behind that the compiler cannot find on its
// own (e.g. _mm512_scalef for the exp scaffolds' 2^n, which no scalar C expression becomes).
// Every op's vector form rounds exactly as its scalar form, so a vector core's results are
// bit-identical to the scalar core's.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "search/program.h"

namespace evo {

// The vector type and helpers (evo_v{f,d}_set, _fma, _scalef, ...) for "float" or
// "double", guarded so that several kernels in one translation unit can each include them.
// To be placed inside `#if defined(__AVX512F__)`.
std::string vector_prelude(std::string_view type);

// The vector type's name for "float" or "double": evo_vf or evo_vd.
std::string vector_type(std::string_view type);

// A vector helper's name, e.g. vector_helper("double", "fma") is "evo_vd_fma".
std::string vector_helper(std::string_view type, std::string_view name);

// One `const V rN = <expr>;` line per instruction, as emit_statements(); nullopt when the
// program uses an op without a vector form here (the kernel then stays scalar).
std::optional<std::string> emit_vector_statements(const Program& p, std::string_view type, std::string_view indent);

}  // namespace evo
