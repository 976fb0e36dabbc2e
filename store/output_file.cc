#include "store/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "search/errors.h"

namespace evo {
namespace {

namespace fs = std::filesystem;

// Writes all of `bytes` to `fd`; the errno of the failure, or 0.
int write_all(int fd, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

// The permissions a new file gets (0666 less the umask), or those of the file it replaces.
mode_t mode_for(const fs::path& target) {
  struct stat st{};
  if (::stat(target.c_str(), &st) == 0) return st.st_mode & 07777;
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

void write_output_file(const std::string& path, std::string_view bytes) {
  // Through links to what they name, so a link is kept; a dangling link's target is made.
  std::error_code ec;
  fs::path target = path;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) {
    const fs::path next = fs::read_symlink(target, ec);
    if (ec) break;
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  const fs::file_status status = fs::status(target, ec);
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    if (fs::is_directory(status)) throw InputError(path + " is a directory; name the file to write");
    const int fd = ::open(target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) throw InputError("cannot write " + path + ": " + std::strerror(errno));
    const int err = write_all(fd, bytes);
    ::close(fd);
    if (err) throw std::runtime_error("writing " + path + " failed: " + std::strerror(err));
    return;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string name = ".";
  name += target.filename().string();
  name += ".evo-XXXXXX";
  std::string tmp = (dir / name).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) throw InputError("cannot write " + path + ": " + std::strerror(errno));
  int err = write_all(fd, bytes);
  if (!err && ::fchmod(fd, mode_for(target)) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("writing " + path + " failed: " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int rename_err = errno;
    ::unlink(tmp.c_str());
    throw InputError("cannot write " + path + ": " + std::strerror(rename_err));
  }
}

}  // namespace evo
