// jemalloc's settings for the aic binary (linked with it unless AIC_JEMALLOC is off, which
// sanitizer builds do). jemalloc reads this string when it starts, before main(); the
// MALLOC_CONF environment variable still overrides any of it.
//
// - background_thread: a jemalloc thread returns freed pages to the system on its own
//   schedule. Without it pages are only returned while the process keeps allocating, so a
//   server that goes quiet after a burst would keep the burst's memory.
// - dirty_decay_ms: freed pages are returned within about a second (the default is 10 s);
//   muzzy_decay_ms 0 skips the lazy-free stage and unmaps them at once, so RSS shows it.
extern "C" {
// The name is jemalloc's (Debian builds it without a symbol prefix).
// NOLINTNEXTLINE(readability-identifier-naming)
extern const char* const malloc_conf;
const char* const malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
