#include "ai/sse.hpp"

namespace aic::ai {

bool SseReader::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (!started_ && !bytes.empty()) {
    // The byte-order mark may itself arrive split; hold back until three bytes are known.
    line_.append(bytes);
    if (line_.size() < 3 && std::string_view("\xEF\xBB\xBF").starts_with(line_)) return true;
    started_ = true;
    std::string held = std::move(line_);
    line_.clear();
    std::string_view rest(held);
    if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
    return feed(rest, out);
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    char c = bytes[i];
    if (c != '\n' && c != '\r') continue;
    if (c == '\n' && skip_lf_ && i == start && line_.empty()) {
      // The LF of a CRLF whose CR ended the previous piece or line.
      skip_lf_ = false;
      start = i + 1;
      continue;
    }
    skip_lf_ = c == '\r';
    if (line_.empty()) {
      take_line(bytes.substr(start, i - start), out);
    } else {
      line_.append(bytes.substr(start, i - start));
      take_line(line_, out);
      line_.clear();
    }
    start = i + 1;
    if (pending_bytes_ > max_event_bytes_) return false;
  }
  if (start < bytes.size()) {
    skip_lf_ = false;
    line_.append(bytes.substr(start));
    if (pending_bytes_ + line_.size() > max_event_bytes_) return false;
  }
  return true;
}

bool SseReader::has_partial_event() const { return has_fields_ || !line_.empty(); }

void SseReader::take_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    if (has_data_) out.push_back(std::move(pending_));
    pending_ = SseEvent{};
    has_data_ = has_fields_ = false;
    pending_bytes_ = 0;
    return;
  }
  if (line.front() == ':') return;  // a comment (keep-alive)
  pending_bytes_ += line.size();
  std::string_view field = line;
  std::string_view value;
  if (auto colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) pending_.id.assign(value);
  }
  // "retry" and unknown fields: nothing a provider stream needs.
}

}  // namespace aic::ai
