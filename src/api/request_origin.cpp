#include "api/request_origin.hpp"

namespace aic::api {

audit::Origin origin_of(const http::RequestContext& context) {
  // The user agent is the client's to choose; a bounded prefix is enough to recognise it.
  constexpr std::size_t kMaxUserAgent = 512;
  std::string_view agent = context.request.headers.get("User-Agent").value_or("");
  return audit::Origin{context.request.remote_address, std::string(agent.substr(0, kMaxUserAgent)),
                       context.request_id};
}

}  // namespace aic::api
