#include "evaluators/compression/npy.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "evaluators/compression/half.h"
#include "search/errors.h"

namespace evo::compression {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InputError("npy file '" + path + "': " + problem);
}

template <typename T>
double load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

using Loader = double (*)(const char*);

double load_f16(const char* p) {
  std::uint16_t h;
  std::memcpy(&h, p, 2);
  return f16_to_float(h);
}

bool loader_for(char kind, int size, Loader& f) {
  switch (kind) {
    case 'f':
      if (size == 2) f = load_f16;
      else if (size == 4) f = load<float>;
      else if (size == 8) f = load<double>;
      else return false;
      return true;
    case 'i':
      if (size == 1) f = load<std::int8_t>;
      else if (size == 2) f = load<std::int16_t>;
      else if (size == 4) f = load<std::int32_t>;
      else if (size == 8) f = load<std::int64_t>;
      else return false;
      return true;
    case 'u':
    case 'b':
      if (size == 1) f = load<std::uint8_t>;
      else if (kind == 'b') return false;
      else if (size == 2) f = load<std::uint16_t>;
      else if (size == 4) f = load<std::uint32_t>;
      else if (size == 8) f = load<std::uint64_t>;
      else return false;
      return true;
  }
  return false;
}

// The value after 'key': in the header dict, up to the next comma at depth 0 (or the end).
std::string field(const std::string& header, const std::string& key, const std::string& path) {
  const std::string quoted[] = {"'" + key + "'", "\"" + key + "\""};
  std::size_t at = std::string::npos;
  for (const auto& q : quoted)
    if ((at = header.find(q)) != std::string::npos) {
      at += q.size();
      break;
    }
  if (at == std::string::npos) fail(path, "header has no '" + key + "'");
  at = header.find(':', at);
  if (at == std::string::npos) fail(path, "header entry '" + key + "' has no value");
  int depth = 0;
  std::size_t end = at + 1;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if ((c == ',' && depth == 0) || depth < 0 || (c == '}' && depth == 0)) break;
  }
  std::string v = header.substr(at + 1, end - at - 1);
  const auto first = v.find_first_not_of(" \t");
  const auto last = v.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : v.substr(first, last - first + 1);
}

}  // namespace

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot read its size: " + ec.message());

  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "bad magic (not a .npy file)");
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3) fail(path, "format version " + std::to_string(major) + " is not 1, 2 or 3");
  std::uint64_t header_len = 0;
  unsigned char len[4] = {0, 0, 0, 0};
  const int len_bytes = major == 1 ? 2 : 4;
  if (!in.read(reinterpret_cast<char*>(len), len_bytes)) fail(path, "truncated header length");
  for (int i = len_bytes - 1; i >= 0; --i) header_len = header_len << 8 | len[i];
  const std::uint64_t data_start = 8 + len_bytes + header_len;
  if (data_start > file_size) fail(path, "header runs past the end of the file");
  std::string header(header_len, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header_len))) fail(path, "truncated header");

  // descr: '<f4', '|u1', ... ; '=' means native, which is little-endian here.
  static const std::regex descr_re(R"(^['"]([<>|=])([fiub])(\d+)['"]$)");
  const std::string descr = field(header, "descr", path);
  std::smatch m;
  if (!std::regex_match(descr, m, descr_re)) fail(path, "dtype " + descr + " is not a plain numeric dtype");
  if (m[1] == ">") fail(path, "dtype " + descr + " is big-endian; save it little-endian");
  if (m[3].length() > 2) fail(path, "dtype " + descr + " is not supported");  // and stoi could not hold it
  const int size = std::stoi(m[3]);
  Loader loader = nullptr;
  if (!loader_for(m[2].str()[0], size, loader)) fail(path, "dtype " + descr + " is not supported");

  const std::string order = field(header, "fortran_order", path);
  if (order != "False" && order != "True") fail(path, "fortran_order is " + order + ", not True or False");
  const bool fortran = order == "True";

  const std::string shape_text = field(header, "shape", path);
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')')
    fail(path, "shape " + shape_text + " is not a tuple");
  NpyArray a;
  std::uint64_t count = 1;
  static const std::regex dim_re(R"(\s*(\d+)\s*(,|$))");
  const std::string dims = shape_text.substr(1, shape_text.size() - 2);
  std::size_t used = 0;
  for (std::sregex_iterator it(dims.begin(), dims.end(), dim_re), end; it != end; ++it) {
    if (static_cast<std::size_t>(it->position()) != used) fail(path, "shape " + shape_text + " is not a tuple of sizes");
    used = static_cast<std::size_t>(it->position() + it->length());
    const std::string d = (*it)[1];
    if (d.size() > 12) fail(path, "shape " + shape_text + " is too large");
    a.shape.push_back(std::stoll(d));
    count *= static_cast<std::uint64_t>(a.shape.back());
    if (count > (1ull << 36)) fail(path, "shape " + shape_text + " is too large");
  }
  if (used != dims.size() && dims.find_first_not_of(" ") != std::string::npos)
    fail(path, "shape " + shape_text + " is not a tuple of sizes");

  const std::uint64_t bytes = count * static_cast<std::uint64_t>(size);
  if (file_size - data_start != bytes)
    fail(path, std::to_string(file_size - data_start) + " data bytes, expected " + std::to_string(bytes) +
                   " for shape " + shape_text);
  std::string raw(bytes, '\0');
  if (!in.read(raw.data(), static_cast<std::streamsize>(bytes))) fail(path, "cannot read the data");
  a.data.resize(count);
  if (!fortran || a.shape.size() < 2) {
    for (std::uint64_t i = 0; i < count; ++i) a.data[i] = loader(raw.data() + i * size);
    return a;
  }
  // Column-major in the file: element (i0, ..., ik) is at sum i_j * prod(shape[<j]).
  const std::size_t rank = a.shape.size();
  std::vector<std::int64_t> index(rank, 0);
  for (std::uint64_t c = 0; c < count; ++c) {  // c walks the file (first index fastest)
    std::uint64_t row_major = 0;
    for (std::size_t j = 0; j < rank; ++j) row_major = row_major * a.shape[j] + index[j];
    a.data[row_major] = loader(raw.data() + c * size);
    for (std::size_t j = 0; j < rank && ++index[j] == a.shape[j]; ++j) index[j] = 0;
  }
  return a;
}

}  // namespace evo::compression
