// The IDX reader on small files written here, plain and gzipped, well formed and broken in
// each way it checks; and on the real Fashion-MNIST files from Debian's package.
#include "evaluators/optimizer/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <random>

#include "search/errors.h"

namespace evo::optimizer {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

// A fresh directory per test, removed afterwards.
class IdxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("evo_idx_test_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_plain(const std::string& name, const Bytes& bytes) const {
    std::ofstream out(path(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good());
    return path(name);
  }

  std::string write_gzip(const std::string& name, const Bytes& bytes) const {
    gzFile f = gzopen(path(name).c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (!bytes.empty()) {
      EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), int(bytes.size()));
    }
    EXPECT_EQ(gzclose(f), Z_OK);
    return path(name);
  }

  fs::path dir_;
};

// An unsigned-byte IDX file of the given shape; elements i*7+3 (mod 256) unless given.
Bytes idx_bytes(std::initializer_list<std::uint32_t> shape, std::optional<Bytes> data = std::nullopt) {
  Bytes b = {0, 0, 0x08, static_cast<std::uint8_t>(shape.size())};
  std::size_t n = 1;
  for (std::uint32_t d : shape) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
    n *= d;
  }
  if (!data) {
    data.emplace();
    for (std::size_t i = 0; i < n; ++i) data->push_back(static_cast<std::uint8_t>(i * 7 + 3));
  }
  b.insert(b.end(), data->begin(), data->end());
  return b;
}

Bytes payload(const Bytes& file, std::size_t header) { return Bytes(file.begin() + header, file.end()); }

// The message of the InputError that f throws, or "" if it throws none.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_F(IdxTest, RoundTripsShapeAndBytes) {
  const Bytes file = idx_bytes({3, 4, 5});
  const IdxArray a = read_idx(write_plain("a.idx", file));
  EXPECT_EQ(a.shape, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(a.data, payload(file, 16));

  const IdxArray one = read_idx(write_plain("one.idx", idx_bytes({6})));
  EXPECT_EQ(one.shape, (std::vector<int>{6}));
  EXPECT_EQ(one.data.size(), 6u);

  const IdxArray four = read_idx(write_plain("four.idx", idx_bytes({2, 1, 3, 2})));
  EXPECT_EQ(four.shape, (std::vector<int>{2, 1, 3, 2}));
  EXPECT_EQ(four.data.size(), 12u);
}

TEST_F(IdxTest, GzipAndPlainAgreeWhateverTheName) {
  const Bytes file = idx_bytes({7, 3, 2});
  const IdxArray plain = read_idx(write_plain("x.gz", file));  // the name does not decide
  const IdxArray gzipped = read_idx(write_gzip("x.idx", file));
  EXPECT_EQ(plain.shape, gzipped.shape);
  EXPECT_EQ(plain.data, gzipped.data);
  EXPECT_EQ(gzipped.data, payload(file, 16));
}

TEST_F(IdxTest, MultiMegabyteGzip) {
  const std::uint32_t n = 300, side = 100;  // larger than one read chunk and the zlib buffer
  const Bytes file = idx_bytes({n, side, side});
  const IdxArray a = read_idx(write_gzip("big.gz", file));
  EXPECT_EQ(a.shape, (std::vector<int>{int(n), int(side), int(side)}));
  EXPECT_EQ(a.data, payload(file, 16));
}

TEST_F(IdxTest, MissingOrUnreadableFile) {
  EXPECT_THROW(read_idx(path("does-not-exist.idx")), InputError);
  EXPECT_THROW(read_idx(dir_.string()), InputError);  // a directory
}

TEST_F(IdxTest, ErrorNamesFileAndProblem) {
  const std::string p = path("does-not-exist.idx");
  try {
    read_idx(p);
    FAIL() << "no exception";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST_F(IdxTest, MalformedFilesThrow) {
  const Bytes good = idx_bytes({2, 3});
  struct Case {
    std::string what;
    Bytes bytes;
    std::string message;  // a fragment the error must contain
  };
  Bytes trailing = good;
  trailing.push_back(0);
  const std::vector<Case> cases = {
      {"empty", {}, "truncated header"},
      {"short magic", {0, 0, 0x08}, "truncated header"},
      {"truncated dimensions", Bytes(good.begin(), good.begin() + 9), "truncated header"},
      {"bad magic", {1, 0, 0x08, 1, 0, 0, 0, 1, 5}, "bad magic"},
      {"bad magic 2", {0, 7, 0x08, 1, 0, 0, 0, 1, 5}, "bad magic"},
      {"float type", {0, 0, 0x0d, 1, 0, 0, 0, 1, 1, 2, 3, 4}, "element type 0x0d"},
      {"signed byte type", {0, 0, 0x09, 1, 0, 0, 0, 1, 5}, "element type 0x09"},
      {"zero dimensions", {0, 0, 0x08, 0}, "number of dimensions 0"},
      {"five dimensions", idx_bytes({1, 1, 1, 1, 1}), "number of dimensions 5"},
      {"product over 1e9", idx_bytes({1000, 1000, 1001}, Bytes{}), "too many elements"},
      {"product overflows 64 bits", idx_bytes({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, Bytes{}),
       "too many elements"},
      {"one dimension over 1e9", idx_bytes({0, 0xffffffff}, Bytes{}), "too many elements"},
      {"data short by one", Bytes(good.begin(), good.end() - 1), "data truncated"},
      {"no data", idx_bytes({2, 3}, Bytes{}), "data truncated"},
      {"trailing byte", trailing, "trailing bytes"},
  };
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string name = "bad" + std::to_string(i++);
    for (const std::string& p : {write_plain(name, c.bytes), write_gzip(name + ".gz", c.bytes)}) {
      const std::string message = error_of([&] { read_idx(p); });
      EXPECT_NE(message.find(c.message), std::string::npos) << "got: " << message;
      EXPECT_NE(message.find(p), std::string::npos) << "got: " << message;
    }
  }
}

TEST_F(IdxTest, BrokenGzipStreamThrows) {
  const Bytes file = idx_bytes({50, 20});
  const std::string p = write_gzip("c.gz", file);
  Bytes gz;
  {
    std::ifstream in(p, std::ios::binary);
    gz.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(gz.size(), 20u);
  const std::string cut = write_plain("cut.gz", Bytes(gz.begin(), gz.begin() + gz.size() / 2));
  EXPECT_THROW(read_idx(cut), InputError);
  EXPECT_NE(error_of([&] { read_idx(cut); }).find("gzip"), std::string::npos);
  Bytes corrupt = gz;
  for (std::size_t k = 12; k < corrupt.size() - 8; ++k) corrupt[k] ^= 0x5a;
  const std::string bad = write_plain("corrupt.gz", corrupt);
  EXPECT_THROW(read_idx(bad), InputError);
  EXPECT_NE(error_of([&] { read_idx(bad); }).find("gzip"), std::string::npos);
}

TEST_F(IdxTest, DatasetPairsImagesWithLabels) {
  const Bytes images = idx_bytes({4, 2, 3});
  const LabelledImages d =
      read_idx_dataset(write_gzip("img.gz", images), write_plain("lab", idx_bytes({4}, Bytes{9, 0, 3, 3})));
  EXPECT_EQ(d.size(), 4u);
  EXPECT_EQ(d.rows, 2);
  EXPECT_EQ(d.cols, 3);
  EXPECT_EQ(d.pixels, payload(images, 16));
  EXPECT_EQ(d.labels, (Bytes{9, 0, 3, 3}));
}

TEST_F(IdxTest, DatasetChecksShapesCountsAndLabels) {
  const std::string images = write_plain("img", idx_bytes({4, 2, 3}));
  const std::string labels = write_plain("lab", idx_bytes({4}, Bytes{0, 1, 2, 3}));
  EXPECT_NO_THROW(read_idx_dataset(images, labels));
  EXPECT_THROW(read_idx_dataset(images, write_plain("lab3", idx_bytes({3}, Bytes{0, 1, 2}))), InputError);
  EXPECT_THROW(read_idx_dataset(images, write_plain("lab10", idx_bytes({4}, Bytes{0, 1, 10, 3}))), InputError);
  EXPECT_THROW(read_idx_dataset(images, write_plain("lab255", idx_bytes({4}, Bytes{255, 1, 2, 3}))), InputError);
  EXPECT_THROW(read_idx_dataset(write_plain("img2d", idx_bytes({4, 6})), labels), InputError);
  EXPECT_THROW(read_idx_dataset(images, write_plain("lab2d", idx_bytes({4, 1}, Bytes{0, 1, 2, 3}))), InputError);
  EXPECT_THROW(read_idx_dataset(images, path("missing")), InputError);
}

// Restores (or unsets) an environment variable on scope exit.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(IdxTest, FashionMnistDirectoryFromEnvironment) {
  write_gzip("train-images-idx3-ubyte.gz", idx_bytes({2, 3, 3}));
  write_gzip("train-labels-idx1-ubyte.gz", idx_bytes({2}, Bytes{4, 5}));
  ScopedEnv env("EVO_FASHION_MNIST", dir_.string());
  EXPECT_EQ(fashion_mnist_dir(), dir_.string());
  const LabelledImages d = load_fashion_mnist(true);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.labels, (Bytes{4, 5}));
  EXPECT_THROW(load_fashion_mnist(false), InputError);  // no test split here
}

TEST(FashionMnist, DefaultDirectory) {
  ScopedEnv env("EVO_FASHION_MNIST", "");
  EXPECT_EQ(fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
}

void expect_balanced(const LabelledImages& d, std::size_t n) {
  ASSERT_EQ(d.size(), n);
  EXPECT_EQ(d.rows, 28);
  EXPECT_EQ(d.cols, 28);
  EXPECT_EQ(d.pixels.size(), n * 28 * 28);
  std::array<std::size_t, 10> counts{};
  for (std::uint8_t l : d.labels) ++counts[l];
  for (int k = 0; k < 10; ++k) EXPECT_EQ(counts[k], n / 10) << "label " << k;
}

// Debian's dataset-fashion-mnist package, which tools/bootstrap.sh installs.
TEST(FashionMnist, RealSplits) {
  expect_balanced(load_fashion_mnist(false), 10000);
  expect_balanced(load_fashion_mnist(true), 60000);
}

}  // namespace
}  // namespace evo::optimizer
