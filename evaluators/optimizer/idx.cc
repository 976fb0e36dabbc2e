#include "evaluators/optimizer/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>
#include <utility>

#include "search/errors.h"

namespace evo::optimizer {
namespace {

constexpr std::uint64_t kMaxElements = 1'000'000'000;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InputError("IDX file '" + path + "': " + problem);
}

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

// gzread stops short both at a clean end of data and when the compressed stream is
// corrupt or cut off; the latter is reported here so it is not mistaken for short data.
std::size_t read_some(gzFile f, const std::string& path, std::uint8_t* out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const unsigned want = static_cast<unsigned>(std::min<std::size_t>(n - got, 1 << 20));
    const int r = gzread(f, out + got, want);
    int errnum = Z_OK;
    const char* msg = gzerror(f, &errnum);
    if (r < 0 || errnum != Z_OK) {
      if (errnum == Z_ERRNO) fail(path, std::string("read error: ") + std::strerror(errno));
      // zlib prefixes its message with the path, which fail() already gives.
      std::string what = msg;
      if (what.starts_with(path + ": ")) what.erase(0, path.size() + 2);
      fail(path, "bad or truncated gzip data (" + what + ")");
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

std::uint32_t big_endian(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | std::uint32_t{p[3]};
}

std::string shape_text(const std::vector<int>& shape) {
  std::string s;
  for (int d : shape) {
    if (!s.empty()) s += 'x';
    s += std::to_string(d);
  }
  return s;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  // gzopen reads plain files as they are ("transparent" mode) and inflates those that
  // start with the gzip magic, so one path serves both.
  errno = 0;
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) fail(path, std::string("cannot open: ") + (errno ? std::strerror(errno) : "out of memory"));
  gzbuffer(file.get(), 1 << 17);

  std::uint8_t magic[4];
  if (read_some(file.get(), path, magic, 4) < 4) fail(path, "truncated header");
  if (magic[0] != 0 || magic[1] != 0) fail(path, "bad magic (not an IDX file)");
  if (magic[2] != 0x08) {
    char type[8];
    std::snprintf(type, sizeof type, "0x%02x", magic[2]);
    fail(path, std::string("unsupported element type ") + type + " (only 0x08, unsigned byte)");
  }
  const int dims = magic[3];
  if (dims == 0 || dims > 4) fail(path, "unsupported number of dimensions " + std::to_string(dims) + " (1 to 4)");

  std::uint8_t sizes[16];
  if (read_some(file.get(), path, sizes, 4 * dims) < static_cast<std::size_t>(4 * dims))
    fail(path, "truncated header");
  IdxArray array;
  // Each factor is at most kMaxElements, so checking after every step rules out overflow.
  std::uint64_t count = 1;
  for (int i = 0; i < dims; ++i) {
    const std::uint32_t d = big_endian(sizes + 4 * i);
    count *= d;
    if (d > kMaxElements || count > kMaxElements) fail(path, "too many elements (more than 1e9)");
    array.shape.push_back(static_cast<int>(d));
  }

  // Grown as data arrives (doubling from 64 KiB), so a lying header cannot make us
  // allocate much more than the data there is.
  while (array.data.size() < count) {
    const std::size_t have = array.data.size();
    const std::size_t chunk = std::min<std::size_t>(count - have, std::max<std::size_t>(have, std::size_t{1} << 16));
    array.data.resize(have + chunk);
    const std::size_t got = read_some(file.get(), path, array.data.data() + have, chunk);
    if (got < chunk)
      fail(path, "data truncated: shape " + shape_text(array.shape) + " needs " + std::to_string(count) +
                     " bytes, file has " + std::to_string(have + got));
  }
  std::uint8_t extra;
  if (read_some(file.get(), path, &extra, 1) != 0) fail(path, "trailing bytes after the data");
  return array;
}

LabelledImages read_idx_dataset(const std::string& images_path, const std::string& labels_path) {
  IdxArray images = read_idx(images_path);
  IdxArray labels = read_idx(labels_path);
  if (images.shape.size() != 3)
    fail(images_path, "images must have 3 dimensions (n, rows, cols), not shape " + shape_text(images.shape));
  if (labels.shape.size() != 1)
    fail(labels_path, "labels must have 1 dimension (n), not shape " + shape_text(labels.shape));
  if (images.shape[0] != labels.shape[0])
    throw InputError("IDX files '" + images_path + "' and '" + labels_path + "': " + std::to_string(images.shape[0]) +
                     " images but " + std::to_string(labels.shape[0]) + " labels");
  for (std::size_t i = 0; i < labels.data.size(); ++i)
    if (labels.data[i] >= 10)
      fail(labels_path, "label " + std::to_string(labels.data[i]) + " at index " + std::to_string(i) + " is not 0..9");

  LabelledImages out;
  out.rows = images.shape[1];
  out.cols = images.shape[2];
  out.pixels = std::move(images.data);
  out.labels = std::move(labels.data);
  return out;
}

std::string fashion_mnist_dir() {
  const char* dir = std::getenv("EVO_FASHION_MNIST");
  return dir && *dir ? dir : "/usr/share/datasets/fashion-mnist";
}

LabelledImages load_fashion_mnist(bool train) {
  const std::filesystem::path dir = fashion_mnist_dir();
  const std::string split = train ? "train" : "t10k";
  return read_idx_dataset((dir / (split + "-images-idx3-ubyte.gz")).string(),
                          (dir / (split + "-labels-idx1-ubyte.gz")).string());
}

}  // namespace evo::optimizer
