// Sentiment scoring speed: score() on a generated corpus of short news sentences (default
// 100,000, ≈ 8 MB), one call per sentence as an insights computation makes, in MB/s and
// sentences per second, against two baselines in the same run:
//
//   baseline   counting the sentences with memchr: the cost of reading the text once
//   tokenize   the tokeniser alone: the floor of anything that reads words and numbers
//   score      score() on each sentence, evidence included (best of 5 runs)
//
// Usage: aic_sentiment_bench [SENTENCES]   (bench preset; see docs/benchmarks.md)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "finance/sentiment/sentiment.hpp"
#include "finance/sentiment/tokenizer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Press-release sentences of every kind the scorer handles, with {A} and {B} replaced by
// varying figures: about 60 % neutral, as in company news.
constexpr const char* kTemplates[] = {
    "Operating profit rose to EUR {A} mn from EUR {B} mn in the corresponding period.",
    "Net sales decreased by {A} % to EUR {B} mn.",
    "The company is headquartered in Espoo, Finland, and employs about {A} people.",
    "Pretax profit totalled EUR {A} mn, compared to EUR {B} mn in the previous year.",
    "The total value of the agreement is approximately EUR {A} mn.",
    "Kalvola Oyj has won an order worth some EUR {A} million to deliver automation systems.",
    "The transaction is expected to be completed in the first quarter of 2011.",
    "The company swung to an operating loss of EUR {A} mn from a profit of EUR {B} mn.",
    "Shares in Tammisto jumped {A} % in early trading in Helsinki after the results.",
    "The annual general meeting will be held in Helsinki on 18 March.",
    "The company will cut {A} jobs at its plant in Pori as demand for paper weakens.",
    "The product range includes pumps, valves and control systems for the process industry.",
    "Net sales for the financial year totalled EUR {A} mn.",
    "The operating loss narrowed to EUR {A} mn from a loss of EUR {B} mn a year ago.",
    "Delivery of the equipment is scheduled for the second half of 2012.",
    "The board of directors proposes that no changes be made to the auditors' fees.",
    "Financial details of the deal were not disclosed.",
    "Raw material costs rose sharply, eroding margins in the packaging business.",
    "The new factory will be located near Shanghai, the company said in a release.",
    "The price of the offer is EUR {A} per share in cash.",
};

std::string figure(unsigned seed) {
  const unsigned value = (seed * 7919u) % 99991u + 10u;
  return std::to_string(value / 10) + "." + std::to_string(value % 10);
}

std::vector<std::string> make_corpus(int count) {
  std::vector<std::string> sentences;
  sentences.reserve(static_cast<std::size_t>(count));
  constexpr int kKinds = static_cast<int>(std::size(kTemplates));
  for (int i = 0; i < count; ++i) {
    std::string text = kTemplates[i % kKinds];
    for (const auto& [slot, seed] : {std::pair{std::string_view("{A}"), i * 2},
                                     std::pair{std::string_view("{B}"), i * 2 + 1}}) {
      const std::size_t at = text.find(slot);
      if (at != std::string::npos) text.replace(at, slot.size(), figure(seed));
    }
    sentences.push_back(std::move(text));
  }
  return sentences;
}

double best_seconds(const std::function<void()>& run) {
  double best = 1e9;
  for (int round = 0; round < 5; ++round) {
    const auto start = Clock::now();
    run();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 100000;
  if (count <= 0) {
    std::fprintf(stderr, "usage: aic_sentiment_bench [SENTENCES]\n");
    return 2;
  }
  const std::vector<std::string> corpus = make_corpus(count);
  std::string joined;
  for (const std::string& sentence : corpus) joined += sentence + "\n";
  const double megabytes = static_cast<double>(joined.size()) / 1e6;

  std::size_t lines = 0;
  const double baseline = best_seconds([&] {
    lines = 0;
    const char* at = joined.data();
    const char* end = at + joined.size();
    while ((at = static_cast<const char*>(std::memchr(at, '\n', end - at))) != nullptr) {
      ++lines;
      ++at;
    }
  });
  std::size_t tokens = 0;
  aic::finance::sentiment::TokenizedText tokenized;
  const double tokenize = best_seconds([&] {
    tokens = 0;
    for (const std::string& sentence : corpus) {
      aic::finance::sentiment::tokenize(sentence, tokenized);
      tokens += tokenized.tokens.size();
    }
  });
  std::size_t polar = 0;
  const double score = best_seconds([&] {
    polar = 0;
    for (const std::string& sentence : corpus) {
      const auto result = aic::finance::sentiment::score(sentence);
      polar += result.label != aic::finance::sentiment::Label::kNeutral;
    }
  });
  std::printf("%d sentences, %.2f MB, %zu tokens, %zu polar (%zu lines)\n", count, megabytes,
              tokens, polar, lines);
  std::printf("baseline  %9.1f MB/s\n", megabytes / baseline);
  std::printf("tokenize  %9.1f MB/s\n", megabytes / tokenize);
  std::printf("score     %9.1f MB/s  %10.0f sentences/s  (%.2f us per sentence)\n",
              megabytes / score, count / score, score / count * 1e6);
  return 0;
}
