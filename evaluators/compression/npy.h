// NumPy .npy files (format versions 1 to 3): the magic "\x93NUMPY", a version, a header
// length, and a Python dict literal giving 'descr' (the dtype), 'fortran_order' and
// 'shape', then the raw elements. Read as doubles in row-major (C) order, whatever the
// file's order; for calibration inputs and labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace evo::compression {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<double> data;  // product(shape) values, row-major
};

// Little-endian or byte-sized dtypes: f2 f4 f8, i1 i2 i4 i8, u1 u2 u4 u8, b1. Throws
// InputError naming the file and the problem otherwise, or when the file is malformed.
NpyArray read_npy(const std::string& path);

}  // namespace evo::compression
