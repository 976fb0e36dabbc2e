#include "evaluators/compression/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "evaluators/compression/half.h"
#include "search/errors.h"
#include "store/output_file.h"

namespace evo::compression {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

constexpr std::uint64_t kMaxHeader = 100'000'000;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InputError("safetensors file '" + path + "': " + problem);
}

int width(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::f16:
    case DType::bf16: return 2;
    case DType::f64: return 8;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "F32";
    case DType::f16: return "F16";
    case DType::bf16: return "BF16";
    case DType::f64: return "F64";
  }
  return "?";
}

bool parse_dtype(const std::string& s, DType& t) {
  for (DType d : {DType::f32, DType::f16, DType::bf16, DType::f64})
    if (s == dtype_name(d)) {
      t = d;
      return true;
    }
  return false;
}

void decode(DType t, const char* bytes, std::vector<float>& out) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char* p = bytes + i * static_cast<std::size_t>(width(t));
    switch (t) {
      case DType::f32: std::memcpy(&out[i], p, 4); break;
      case DType::f64: {
        double d;
        std::memcpy(&d, p, 8);
        out[i] = static_cast<float>(d);
        break;
      }
      case DType::f16:
      case DType::bf16: {
        std::uint16_t h;
        std::memcpy(&h, p, 2);
        out[i] = t == DType::f16 ? f16_to_float(h) : bf16_to_float(h);
        break;
      }
    }
  }
}

void encode(const Tensor& t, std::string& out) {
  for (float v : t.data) {
    switch (t.stored) {
      case DType::f32: out.append(reinterpret_cast<const char*>(&v), 4); break;
      case DType::f64: {
        const double d = v;
        out.append(reinterpret_cast<const char*>(&d), 8);
        break;
      }
      case DType::f16:
      case DType::bf16: {
        const std::uint16_t h = t.stored == DType::f16 ? float_to_f16(v) : float_to_bf16(v);
        out.append(reinterpret_cast<const char*>(&h), 2);
        break;
      }
    }
  }
}

}  // namespace

std::int64_t Tensor::size() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

const Tensor& TensorFile::at(const std::string& name) const {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw InputError("no tensor named '" + name + "'");
  return it->second;
}

TensorFile read_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot read its size: " + ec.message());
  if (file_size < 8) fail(path, "shorter than the 8-byte header length");
  std::uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  if (n > kMaxHeader) fail(path, "header length " + std::to_string(n) + " is over 100 MB");
  if (n > file_size - 8) fail(path, "header length " + std::to_string(n) + " runs past the end of the file");
  std::string header(n, '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  if (!in) fail(path, "cannot read the header");

  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("header is not JSON: ") + e.what());
  }
  if (!j.is_object()) fail(path, "header is not a JSON object");

  const std::uint64_t data_size = file_size - 8 - n;
  TensorFile out;
  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (const auto& [name, v] : j.items()) {
    if (name == "__metadata__") {
      if (!v.is_object()) fail(path, "__metadata__ is not an object");
      for (const auto& [k, s] : v.items()) {
        if (!s.is_string()) fail(path, "__metadata__ value '" + k + "' is not a string");
        out.metadata[k] = s.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor '" + name + "': ";
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      fail(path, where + "needs dtype, shape and data_offsets");
    Tensor t;
    if (!v["dtype"].is_string() || !parse_dtype(v["dtype"].get<std::string>(), t.stored))
      fail(path, where + "dtype " + v["dtype"].dump() + " is not one of F32, F16, BF16, F64");
    const auto& shape = v["shape"];
    const auto& offsets = v["data_offsets"];
    if (!shape.is_array()) fail(path, where + "shape is not an array");
    std::uint64_t count = 1;
    for (const auto& d : shape) {
      if (!d.is_number_unsigned() || d.get<std::uint64_t>() > (1ull << 40))
        fail(path, where + "shape " + shape.dump() + " is not a list of sizes");
      count *= d.get<std::uint64_t>();
      if (count > (1ull << 40)) fail(path, where + "shape " + shape.dump() + " is too large");
      t.shape.push_back(d.get<std::int64_t>());
    }
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      fail(path, where + "data_offsets is not [begin, end]");
    const std::uint64_t b = offsets[0].get<std::uint64_t>(), e = offsets[1].get<std::uint64_t>();
    if (b > e || e > data_size)
      fail(path, where + "data_offsets [" + std::to_string(b) + ", " + std::to_string(e) + "] outside the " +
                     std::to_string(data_size) + " data bytes");
    if (e - b != count * static_cast<std::uint64_t>(width(t.stored)))
      fail(path, where + std::to_string(e - b) + " bytes for " + std::to_string(count) + " " +
                     dtype_name(t.stored) + " values");
    ranges.push_back({b, e, name});
    out.tensors.emplace(name, std::move(t));
  }
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
  std::uint64_t at = 0;
  for (const Range& r : ranges) {
    if (r.begin != at) fail(path, "tensor '" + r.name + "' does not start where the one before it ends");
    at = r.end;
  }
  if (at != data_size) fail(path, "data bytes after the last tensor: " + std::to_string(data_size - at));

  std::string data(data_size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data_size));
  if (!in) fail(path, "cannot read the tensor data");
  for (const Range& r : ranges) {
    Tensor& t = out.tensors.at(r.name);
    t.data.resize(static_cast<std::size_t>(t.size()));
    decode(t.stored, data.data() + r.begin, t.data);
  }
  return out;
}

std::string safetensors_bytes(const TensorFile& file) {
  nlohmann::json header = nlohmann::json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::string data;
  for (const auto& [name, t] : file.tensors) {
    if (static_cast<std::int64_t>(t.data.size()) != t.size())
      throw std::invalid_argument("tensor '" + name + "' has " + std::to_string(t.data.size()) +
                                  " values for its shape");
    const std::size_t begin = data.size();
    encode(t, data);
    header[name] = {{"dtype", dtype_name(t.stored)}, {"shape", t.shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const std::uint64_t n = text.size();
  std::string bytes(reinterpret_cast<const char*>(&n), 8);
  bytes += text;
  bytes += data;
  return bytes;
}

void write_safetensors(const std::string& path, const TensorFile& file) {
  write_output_file(path, safetensors_bytes(file));
}

}  // namespace evo::compression
