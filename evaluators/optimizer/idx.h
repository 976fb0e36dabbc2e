// Reader for IDX files, the format of MNIST and Fashion-MNIST: a 4-byte magic (two zero
// bytes, an element type, a dimension count), each dimension as a big-endian uint32, then
// the elements in row-major order. Files may be gzip-compressed, as distributed; which one
// is decided by the content (gzip magic 1f 8b), never by the name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace evo::optimizer {

// Only unsigned bytes (type code 0x08) are supported; that is all the image datasets use.
struct IdxArray {
  std::vector<int> shape;          // 1 to 4 dimensions
  std::vector<std::uint8_t> data;  // product(shape) elements, row-major
};

// Throws InputError naming the file and the problem if the file cannot be read, is not a
// well-formed unsigned-byte IDX file (at most 1e9 elements), or has bytes after the data.
IdxArray read_idx(const std::string& path);

struct LabelledImages {
  int rows = 0, cols = 0;
  std::vector<std::uint8_t> pixels;  // size() * rows * cols, row-major per image
  std::vector<std::uint8_t> labels;  // each in 0..9
  std::size_t size() const { return labels.size(); }
};

// Images must be (n, rows, cols) and labels (n), with every label below 10; else InputError.
LabelledImages read_idx_dataset(const std::string& images_path, const std::string& labels_path);

// Where Debian's dataset-fashion-mnist package puts the files; $EVO_FASHION_MNIST (when set
// and non-empty) overrides it.
std::string fashion_mnist_dir();

// The 60000-image training split or the 10000-image test split from fashion_mnist_dir().
LabelledImages load_fashion_mnist(bool train);

}  // namespace evo::optimizer
