// An incremental reader of Server-Sent Events (the WHATWG event-stream format), for the
// streamed answers of model providers. Bytes arrive in pieces of any size; an event is
// complete at its blank line. Lines end in LF, CRLF or CR; `data` lines are joined with LF;
// comment lines (":") and unknown fields are skipped; a leading byte-order mark is dropped.
//
// Threading: one reader per stream.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace aic::ai {

struct SseEvent {
  std::string event;  // empty: the default type ("message")
  std::string data;
  std::string id;
};

class SseReader {
 public:
  // At most this many bytes of one event (its lines so far) are held; beyond, feed() fails.
  explicit SseReader(std::size_t max_event_bytes = 8 * 1024 * 1024)
      : max_event_bytes_(max_event_bytes) {}

  // Appends the events completed by `bytes` to `out`. False when an event exceeds the limit.
  bool feed(std::string_view bytes, std::vector<SseEvent>& out);
  // True when bytes of an unfinished event are held (a stream cut off mid-event).
  bool has_partial_event() const;

 private:
  void take_line(std::string_view line, std::vector<SseEvent>& out);

  std::size_t max_event_bytes_;
  std::string line_;      // the unfinished line
  bool skip_lf_ = false;  // the last byte was CR: a following LF belongs to it
  bool started_ = false;  // past a possible byte-order mark
  SseEvent pending_;
  bool has_data_ = false;    // pending_ has a data line (an event is dispatched only then)
  bool has_fields_ = false;  // pending_ has any field
  std::size_t pending_bytes_ = 0;
};

}  // namespace aic::ai
