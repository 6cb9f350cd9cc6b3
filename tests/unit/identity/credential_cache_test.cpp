// The credential cache: what it answers from memory, and that a revocation racing a load is
// never undone by the load's late put().
#include "identity/credential_cache.hpp"

#include <gtest/gtest.h>

#include "identity/api_keys.hpp"

namespace aic::identity {
namespace {

using Clock = CredentialCache::Clock;

CredentialCache::Entry entry_for(std::string_view secret, Clock::time_point loaded_at) {
  auto principal = std::make_shared<core::Principal>();
  principal->id = "usr_1";
  return CredentialCache::Entry{hash_secret(secret), principal, std::nullopt, loaded_at};
}

TEST(CredentialCache, AnswersFreshEntriesAndChecksTheSecret) {
  CredentialCache cache(std::chrono::seconds(10));
  const auto now = Clock::now();
  cache.put("k1", entry_for("secret", now), cache.generation());
  ASSERT_TRUE(cache.fresh("k1", now));
  auto good = cache.authenticate("k1", "secret", now);
  ASSERT_TRUE(good);
  ASSERT_TRUE(*good);
  EXPECT_EQ((**good)->id, "usr_1");
  auto wrong = cache.authenticate("k1", "guess", now);
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(*wrong);
  EXPECT_FALSE(cache.authenticate("k1", "secret", now + std::chrono::seconds(12)));
}

TEST(CredentialCache, ALoadThatRacedARevocationIsNotStored) {
  CredentialCache cache(std::chrono::seconds(10));
  const auto now = Clock::now();
  // A request reads the generation and loads key k1 from the database, still unrevoked...
  const auto before_load = cache.generation();
  // ...meanwhile another request revokes k1 and drops its (absent) entry...
  cache.invalidate("k1");
  // ...then the first request stores what it loaded: it must not be kept.
  cache.put("k1", entry_for("secret", now), before_load);
  EXPECT_FALSE(cache.fresh("k1", now));
  EXPECT_FALSE(cache.authenticate("k1", "secret", now));
  // A load that began after the revocation is stored as usual.
  cache.put("k1", entry_for("secret", now), cache.generation());
  EXPECT_TRUE(cache.fresh("k1", now));
}

TEST(CredentialCache, ZeroTtlCachesNothing) {
  CredentialCache cache(std::chrono::milliseconds(0));
  const auto now = Clock::now();
  cache.put("k1", entry_for("secret", now), cache.generation());
  EXPECT_FALSE(cache.fresh("k1", now));
  EXPECT_FALSE(cache.authenticate("k1", "secret", now));
}

}  // namespace
}  // namespace aic::identity
