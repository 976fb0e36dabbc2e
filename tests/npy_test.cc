// The .npy reader on files laid out here byte by byte as NumPy writes them: each dtype
// family, C and Fortran order, format versions 1 and 2, and the malformations it rejects.
#include "evaluators/compression/npy.h"

#include <gtest/gtest.h>

#include "tests/e2e_support.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "search/errors.h"

namespace evo::compression {
namespace {

namespace fs = std::filesystem;

class NpyTest : public ::testing::Test {
 protected:

  // As numpy.save writes it: the dict padded with spaces and a newline to a multiple of 64.
  std::string write(const std::string& dict, const std::string& data, int version = 1) {
    std::string header = dict;
    const std::size_t prefix = version == 1 ? 10 : 12;
    while ((prefix + header.size() + 1) % 64) header += ' ';
    header += '\n';
    std::string file = std::string("\x93NUMPY", 6) + static_cast<char>(version) + '\0';
    const std::uint32_t n = static_cast<std::uint32_t>(header.size());
    file.append(reinterpret_cast<const char*>(&n), version == 1 ? 2 : 4);
    file += header + data;
    std::string name = std::to_string(count_++);
    name += ".npy";
    const std::string p = dir_.file(name);
    std::ofstream(p, std::ios::binary) << file;
    return p;
  }

  template <typename T>
  static std::string bytes(std::initializer_list<T> v) {
    std::string s(v.size() * sizeof(T), '\0');
    std::memcpy(s.data(), std::data(v), s.size());
    return s;
  }

  void expect_rejected(const std::string& file, const std::string& problem) {
    try {
      read_npy(file);
      ADD_FAILURE() << "accepted; expected: " << problem;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(problem), std::string::npos) << e.what();
    }
  }

  test::ScratchDir dir_;
  int count_ = 0;
};

TEST_F(NpyTest, ReadsEachDtypeFamily) {
  auto a = read_npy(write("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                          bytes<float>({1, 2, 3, 4, 5, 6.5f})));
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.data, (std::vector<double>{1, 2, 3, 4, 5, 6.5}));
  auto b = read_npy(write("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", std::string("\x01\x02\xff\x00", 4)));
  EXPECT_EQ(b.shape, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(b.data, (std::vector<double>{1, 2, 255, 0}));
  auto c = read_npy(write("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", bytes<std::int64_t>({-7, 9})));
  EXPECT_EQ(c.data, (std::vector<double>{-7, 9}));
  auto d = read_npy(write("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", std::string("\x00\x3c", 2)));
  EXPECT_EQ(d.data, (std::vector<double>{1.0}));
  auto s = read_npy(write("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", bytes<double>({0.25})));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.data, (std::vector<double>{0.25}));
}

TEST_F(NpyTest, FortranOrderIsReturnedRowMajor) {
  // [[1, 2, 3], [4, 5, 6]] stored column by column.
  auto a = read_npy(write("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                          bytes<double>({1, 4, 2, 5, 3, 6})));
  EXPECT_EQ(a.data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // Three dimensions, (2, 2, 2): element (i, j, k) = 100i + 10j + k, first index fastest.
  auto b = read_npy(write("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2, 2), }",
                          bytes<std::int32_t>({0, 100, 10, 110, 1, 101, 11, 111})));
  EXPECT_EQ(b.data, (std::vector<double>{0, 1, 10, 11, 100, 101, 110, 111}));
}

TEST_F(NpyTest, VersionTwoHeader) {
  auto a = read_npy(write("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", bytes<float>({2}), 2));
  EXPECT_EQ(a.data, (std::vector<double>{2}));
}

TEST_F(NpyTest, RejectsWhatItCannotRead) {
  const std::string f1 = bytes<float>({1});
  expect_rejected(dir_.file("none.npy"), "cannot open");
  {
    const std::string p = dir_.file("bad.npy");
    std::ofstream(p, std::ios::binary) << "PK\x03\x04 not npy";
    expect_rejected(p, "bad magic");
  }
  expect_rejected(write("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", f1), "big-endian");
  expect_rejected(write("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", f1), "not a plain numeric");
  expect_rejected(write("{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }", f1), "not supported");
  // Found by fuzz_npy: an element size too long for an int.
  expect_rejected(write("{'descr': '<i88888888888888888888882', 'fortran_order': False, 'shape': (1,), }", f1),
                  "not supported");
  expect_rejected(write("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", f1),
                  "not a plain numeric");
  expect_rejected(write("{'fortran_order': False, 'shape': (1,), }", f1), "no 'descr'");
  expect_rejected(write("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }", f1), "fortran_order");
  expect_rejected(write("{'descr': '<f4', 'fortran_order': False, 'shape': [1], }", f1), "not a tuple");
  expect_rejected(write("{'descr': '<f4', 'fortran_order': False, 'shape': (1, x), }", f1), "not a tuple of sizes");
  expect_rejected(write("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", f1), "expected 8");
  expect_rejected(write("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999,), }", f1), "too large");
}

}  // namespace
}  // namespace evo::compression
