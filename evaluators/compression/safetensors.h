// safetensors files: an 8-byte little-endian header length N, N bytes of JSON naming each
// tensor's dtype, shape and [begin, end) byte range in the data that follows, and an
// optional "__metadata__" object of strings. Tensors are read into float; F32, F16 and
// BF16 are supported (F64 too, narrowed), which is what model checkpoints use.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace evo::compression {

enum class DType { f32, f16, bf16, f64 };

struct Tensor {
  std::vector<std::int64_t> shape;  // row-major
  std::vector<float> data;          // product(shape) values
  DType stored = DType::f32;        // the precision in the file (written back the same way)
  std::int64_t size() const;
};

struct TensorFile {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
  const Tensor& at(const std::string& name) const;  // InputError naming the missing tensor
};

// Throws InputError naming the file and the problem when it is not a well-formed
// safetensors file: header past the end or over 100 MB, bad JSON, unknown dtype, a
// tensor's byte range not matching its shape, ranges that overlap or leave holes.
TensorFile read_safetensors(const std::string& path);

// Writes each tensor in its `stored` precision; the header is padded to 8 bytes so the
// data is aligned. Written to a temporary file and renamed, so a failure leaves no
// half-written file. Throws std::runtime_error when the file cannot be written.
void write_safetensors(const std::string& path, const TensorFile& file);
// The same bytes, in memory (e.g. for `evo export -o`).
std::string safetensors_bytes(const TensorFile& file);

}  // namespace evo::compression
