// write_output_file: a regular file is replaced whole and keeps its permissions; a symbolic
// link stays a link and its target gets the bytes; a FIFO (as a device would) is written
// into, not replaced by a file; a path it cannot write is an InputError naming it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "search/errors.h"
#include "store/output_file.h"
#include "tests/e2e_support.h"

namespace evo {
namespace {

namespace fs = std::filesystem;

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(OutputFile, ReplacesARegularFileWholeAndKeepsItsPermissions) {
  test::ScratchDir dir;
  const std::string path = dir.file("out.txt");
  write_output_file(path, "first version, longer than the second\n");
  ::chmod(path.c_str(), 0640);
  write_output_file(path, "second\n");
  EXPECT_EQ(contents(path), "second\n");
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1) << "no temporary left";
}

TEST(OutputFile, WritesThroughASymbolicLink) {
  test::ScratchDir dir;
  const std::string target = dir.file("target.txt"), link = dir.file("link.txt");
  write_output_file(target, "old\n");
  fs::create_symlink("target.txt", link);
  write_output_file(link, "new\n");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(contents(target), "new\n");
  // A link to a file not yet there makes the file.
  const std::string dangling = dir.file("dangling.txt");
  fs::create_symlink("made.txt", dangling);
  write_output_file(dangling, "made\n");
  EXPECT_TRUE(fs::is_symlink(dangling));
  EXPECT_EQ(contents(dir.file("made.txt")), "made\n");
}

TEST(OutputFile, WritesIntoAFifoRatherThanReplaceIt) {
  test::ScratchDir dir;
  const std::string fifo = dir.file("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A reader that does not wait for a writer, so the test cannot hang if none comes.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  write_output_file(fifo, "through the pipe\n");
  char buf[64] = {};
  const ssize_t n = ::read(reader, buf, sizeof buf);
  ::close(reader);
  EXPECT_TRUE(fs::is_fifo(fifo)) << "the FIFO was replaced by a file";
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0), "through the pipe\n");
}

TEST(OutputFile, APathItCannotWriteIsAnInputError) {
  test::ScratchDir dir;
  try {
    write_output_file(dir.file("no/such/dir/out.txt"), "x");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no/such/dir/out.txt"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_output_file(dir.path(), "x"), InputError);
}

}  // namespace
}  // namespace evo
