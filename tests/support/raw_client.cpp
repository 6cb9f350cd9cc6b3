#include "raw_client.hpp"

#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace aic::test {
namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> RawResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequal(key, name)) return value;
  }
  return std::nullopt;
}

RawClient::RawClient(std::uint16_t port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    int error = errno;
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(std::string("connect: ") + std::strerror(error));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

RawClient::RawClient(RawClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      timeout_(other.timeout_),
      buffer_(std::move(other.buffer_)) {}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

bool RawClient::fill() {
  pollfd descriptor{fd_, POLLIN, 0};
  int ready = ::poll(&descriptor, 1, static_cast<int>(timeout_.count()));
  if (ready <= 0) return false;
  char chunk[16384];
  ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
  if (got <= 0) return false;
  buffer_.append(chunk, static_cast<std::size_t>(got));
  return true;
}

std::string RawClient::read_until(std::string_view marker) {
  while (buffer_.find(marker) == std::string::npos && fill()) {
  }
  return std::exchange(buffer_, std::string());
}

std::optional<RawResponse> RawClient::read_response(bool head_request) {
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  RawResponse response;
  std::string_view head(buffer_.data(), head_end);
  auto line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12) return std::nullopt;
  response.status = std::stoi(std::string(status_line.substr(9, 3)));
  response.reason = std::string(status_line.substr(std::min<std::size_t>(13, status_line.size())));
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    auto end = rest.find("\r\n");
    std::string_view line = rest.substr(0, end);
    auto colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 2);
  }
  buffer_.erase(0, head_end + 4);

  bool no_body = head_request || response.status == 204 || response.status == 304 ||
                 (response.status >= 100 && response.status < 200);
  if (no_body) return response;
  if (auto encoding = response.header("Transfer-Encoding");
      encoding && iequal(*encoding, "chunked")) {
    for (;;) {
      std::size_t size_end;
      while ((size_end = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill()) return std::nullopt;
      }
      std::size_t size = std::stoul(buffer_.substr(0, size_end), nullptr, 16);
      while (buffer_.size() < size_end + 2 + size + 2) {
        if (!fill()) return std::nullopt;
      }
      response.body += buffer_.substr(size_end + 2, size);
      buffer_.erase(0, size_end + 2 + size + 2);
      if (size == 0) return response;
    }
  }
  std::size_t length = 0;
  if (auto value = response.header("Content-Length")) length = std::stoul(*value);
  while (buffer_.size() < length) {
    if (!fill()) return std::nullopt;
  }
  response.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return response;
}

bool RawClient::wait_closed() {
  for (;;) {
    pollfd descriptor{fd_, POLLIN, 0};
    int ready = ::poll(&descriptor, 1, static_cast<int>(timeout_.count()));
    if (ready <= 0) return false;
    char chunk[4096];
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got == 0) return true;
    if (got < 0) return errno == ECONNRESET;
    buffer_.append(chunk, static_cast<std::size_t>(got));
  }
}

void RawClient::reset() {
  linger option{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &option, sizeof option);
  ::close(fd_);
  fd_ = -1;
}

std::optional<RawResponse> http_request(std::uint16_t port, std::string_view method,
                                        std::string_view target, std::string_view body,
                                        std::vector<std::pair<std::string, std::string>> headers) {
  RawClient client(port);
  std::string request =
      std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n";
  request += body;
  if (!client.send(request)) return std::nullopt;
  return client.read_response(method == "HEAD");
}

}  // namespace aic::test
