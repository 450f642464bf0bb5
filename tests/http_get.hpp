#pragma once

#include <arpa/inet.h>
#include <cstdint>
#include <cstdlib>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <utility>

/// A plain HTTP GET for tests of the metrics endpoint and `/ready`.
namespace intuition::test {

/// The answer of 127.0.0.1:`port` to `GET path`: the status code (0 when
/// nothing answered within 10 s) and the body.
inline std::pair<int, std::string> http_get(uint16_t port,
                                            const std::string& path) {
  auto fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return {0, {}};
  timeval limit{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    auto request
      = "GET " + path
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL)
        == static_cast<ssize_t>(request.size())) {
      char buf[4096];
      for (;;) {
        auto n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0 || response.size() > (1u << 20))
          break;
        response.append(buf, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  if (response.compare(0, 5, "HTTP/") != 0 || response.size() < 12)
    return {0, {}};
  auto status = std::atoi(response.c_str() + response.find(' ') + 1);
  auto body = response.find("\r\n\r\n");
  return {status, body == std::string::npos ? std::string{}
                                            : response.substr(body + 4)};
}

} // namespace intuition::test
