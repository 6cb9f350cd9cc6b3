// The lexicon: every word and phrase the scorer knows, with its weights. Our own, written for
// press releases and company news; weights are on the scale of one clear statement (a profit
// that rose) = 1.2, a sales figure that rose = 1.0, and the neutral band is |sum| < 0.5.
//
// Forms are listed in full ("rose|rise|rises|risen|rising") rather than stemmed, so that no
// unrelated word is caught by a rule. A form listed twice merges: the later entry's non-zero
// fields win and roles add up.
#include "finance/sentiment/lexicon.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace aic::finance::sentiment {

namespace {

struct Spec {
  std::string_view forms;  // "form|form|multi word form"
  Entry entry;
};

constexpr Entry good(double weight) { return Entry{.object = 1, .object_weight = weight}; }
constexpr Entry bad(double weight) { return Entry{.object = -1, .object_weight = weight}; }
constexpr Entry polar(double weight) { return Entry{.polarity = weight}; }
constexpr Entry role(std::uint32_t roles) { return Entry{.roles = roles}; }
constexpr Entry up() { return Entry{.direction = 1, .style = Style::kForward}; }
constexpr Entry down() { return Entry{.direction = -1, .style = Style::kForward}; }
constexpr Entry up_adjective() { return Entry{.direction = 1, .style = Style::kAdjective}; }
constexpr Entry down_adjective() { return Entry{.direction = -1, .style = Style::kAdjective}; }
constexpr Entry judged_adjective(int direction, double weight) {
  return Entry{.polarity = weight,
               .direction = static_cast<std::int8_t>(direction),
               .style = Style::kAdjective,
               .evaluative = true};
}
// A direction that is good (or bad) whatever it moves: "improved", "weakened".
constexpr Entry judged(int direction, double weight) {
  return Entry{.polarity = weight,
               .direction = static_cast<std::int8_t>(direction),
               .style = Style::kForward,
               .evaluative = true};
}
constexpr Entry scaling(std::uint32_t roles, double factor) {
  return Entry{.scale = factor, .roles = roles};
}

// clang-format off
constexpr Spec kSpecs[] = {
    // Good things: their rise is good news.
    {"profit|profits|net profit|operating profit", {.object = 1, .object_weight = 1.2, .state = 1}},
    {"profitability", {.object = 1, .object_weight = 1.1, .state = 1}},
    {"earnings|income|ebit|ebitda|ebita|eps|result|results|bottom line", good(1.2)},
    {"sales|revenue|revenues|turnover|orders|intake|backlog|bookings|order intake|order book|"
     "order backlog|orders received|order inflow|order stock", good(1.0)},
    {"margin|margins|dividend|dividends|market share|market shares|share price|share prices|"
     "stock price|shares|stock|cash flow|cash flows", good(1.0)},
    {"forecast|forecasts|outlook|guidance|estimate|estimates|target price|rating|ratings|"
     "recommendation", good(1.0)},
    {"demand", good(0.9)},
    {"jobs|job|employment|workforce|staff|personnel|employees|headcount|workers|engineers",
     good(0.9)},
    {"volume|volumes|deliveries|shipments|traffic|passengers|passenger numbers|subscribers|"
     "subscriber base|users|visitors|occupancy|utilisation|utilization|productivity|"
     "efficiency|competitiveness|solvency|liquidity|equity ratio|exports|performance|"
     "customer satisfaction|satisfaction|charter rates|freight rates|day rates|position|"
     "presence|footprint|customer numbers|customer base|people|positions|"
     "market capitalisation|market capitalization|market value|market cap", good(0.8)},
    {"cash|cash position|customers|output|production|capacity|balance sheet|contract|contracts|deal|deals|order",
     good(0.7)},
    {"growth", {.polarity = 0.3, .object = 1, .object_weight = 0.9, .state = 1,
                .direction = 1, .style = Style::kForward}},

    // Bad things: their rise is bad news.
    {"loss|losses|net loss|operating loss|pretax loss|pre-tax loss",
     {.polarity = -0.6, .object = -1, .object_weight = 1.2, .state = -1}},
    {"deficit", {.polarity = -0.5, .object = -1, .object_weight = 1.0, .state = -1}},
    {"credit losses|loan losses|impairment losses",
     {.polarity = -0.5, .object = -1, .object_weight = 1.0}},
    {"costs|cost|expenses|expense|expenditure|expenditures|overheads|raw material prices|"
     "material prices|energy prices|fuel prices|input prices|production costs|"
     "personnel costs|personnel expenses|labour costs|labor costs", bad(0.9)},
    {"debt|net debt|borrowings|gearing|leverage|indebtedness|unemployment|churn|"
     "delinquencies|arrears|absenteeism|downtime|non-performing loans|nonperforming loans|"
     "non-performing|nonperforming|bad loans|bad debts", bad(0.8)},
    {"impairment|impairments|writedown|writedowns|write-down|write-downs|write-off|write-offs",
     {.polarity = -0.8, .object = -1, .object_weight = 0.9}},
    {"provisions|liabilities|emissions|risk|risks", bad(0.6)},
    {"risk|risks", polar(-0.2)},

    // Directions. "rose" with a good thing is good news, with a bad thing bad news.
    {"rose|rise|rises|risen|rising|grew|grow|grows|grown|growing|climbed|climb|climbs|"
     "climbing|jumped|jump|jumps|jumping|surged|surge|surges|surging|soared|soar|soars|"
     "soaring|increased|increase|increases|increasing|gained|boosted|boost|"
     "boosts|boosting|lifted|lift|lifts|lifting|raised|raise|raises|raising|doubled|double|"
     "doubles|doubling|tripled|triple|triples|tripling|quadrupled|accelerated|accelerate|"
     "accelerates|accelerating|widened|widen|widens|widening|"
     "swelled|rocketed|skyrocketed|spiked|created|create|creates|creating|rallied|rally|"
     "picked up|picks up|pick up|went up|goes up|shot up|moved up|ticked up|edged up|"
     "pushed up|pushing up|increasingly|deepened|deepen|deepens|deepening", up()},
    {"fell|fall|falls|fallen|falling|dropped|drop|drops|dropping|declined|decline|declines|"
     "declining|decreased|decrease|decreases|decreasing|slid|slide|slides|sliding|slipped|"
     "slip|slips|slipping|sank|sink|sinks|sinking|sunk|plunged|plunge|plunges|plunging|"
     "plummeted|plummet|plummets|tumbled|tumble|tumbles|tumbling|slumped|slump|slumps|"
     "slumping|dipped|dip|dips|shrank|shrink|shrinks|shrinking|shrunk|contracted|eased|"
     "easing|lowered|lowering|lowers|cut|cuts|cutting|reduced|reduce|reduces|"
     "reducing|reduction|reductions|trimmed|trim|trims|slashed|slash|slashes|slashing|halved|"
     "halve|halves|narrowed|narrow|narrows|narrowing|lose|loses|losing|shed|sheds|shedding|"
     "retreated|slowed|slows|slowing|eliminated|eliminate|"
     "eliminating|downsized|downsize|scaled back|scale back|cutback|cutbacks|went down|"
     "goes down|moved down|edged down|ticked down|came down|brought down|bring down|"
     "pushed down|lagged|dried up|dry up|dries up|drying up", down()},
    // Superlatives ("the highest volumes in summer") describe more often than they report.
    {"high|higher|bigger|larger|greater|more|above", up_adjective()},
    {"low|lower|smaller|fewer|less|slower|below", down_adjective()},
    {"add|adds|added|adding|contribute|contributes|contributed|contributing",
     {.direction = 1, .style = Style::kForward, .roles = kReachesPast}},
    {"lost", {.polarity = -0.3, .direction = -1, .style = Style::kForward}},
    {"slow|slowdown", {.polarity = -0.4, .direction = -1, .style = Style::kForward}},
    {"collapsed|collapse|collapses", {.polarity = -0.6, .direction = -1,
                                      .style = Style::kForward}},
    {"improved|improve|improves|improving|improvement|improvements|strengthened|strengthen|"
     "strengthens|strengthening|recovered|recover|recovers|recovering|recovery|rebounded|"
     "rebound|rebounds|rebounding|enhanced|enhance|enhances", judged(1, 0.5)},
    {"better", judged_adjective(1, 0.5)},
    {"expanded|expand|expands|expanding|expansion", judged(1, 0.6)},
    {"upturn", judged(1, 0.7)},
    {"strong|stronger|strongest|robust", judged_adjective(1, 0.6)},
    {"solid|healthy", judged_adjective(1, 0.5)},
    {"weakened|weaken|weakens|weakening|deteriorated|deteriorate|deteriorates|deteriorating|"
     "deterioration|worsened|worsen|worsens|worsening|eroded|erode|erodes|eroding|erosion|"
     "squeezed|squeezing", judged(-1, -0.5)},
    {"weak|weaker|weakest|poor|poorer", judged_adjective(-1, -0.6)},
    {"weakness|poorly", judged(-1, -0.6)},
    {"hurt|hurts|hurting|downturn", judged(-1, -0.7)},
    {"up", {.direction = 1, .style = Style::kAdverb}},
    {"down", {.direction = -1, .style = Style::kAdverb}},
    // Phrases that only look like directions.
    {"up to|more than|less than|as much as|as many as|at least|a total of|about|some|"
     "approximately|around|roughly|nearly|almost|over|just|only|a|an|the|its|their|our|his|"
     "her|this|these|those|further|additional|an additional|a further|net|operating|total|"
     "annual|quarterly|full-year|comparable|pretax|pre-tax|gross|not only",
     role(kFiller)},
    {"down payment|down payments|step down|steps down|stepped down|stepping down|set up|"
     "sets up|setting up|break down|broken down|breakdown|track record|record date|"
     "back up|backed up|make up|made up|makes up|take up|took up|cut-off|cut off|"
     "high-quality|high quality|high-end|high end|high-tech|high tech|higher education|"
     "low-cost|low cost|lower-cost|stock exchange|stock exchanges|stock option|stock options|"
     "stock market|share capital|share issue|as a result of|as a result|thanks to|due to|"
     "according to|owing to|because of|in line with", role(kStop)},

    // Changes of state: "swung to a loss", "returned to profit".
    {"swung|swing|swings|turned|turn|turns|returned|return|returns|moved|went|came|come|"
     "comes|back|slipped back|swung back|moved back|is back|was back", role(kTransition)},
    {"in the black|into the black|back in the black", {.polarity = 0.7, .state = 1}},
    {"in the red|into the red", {.polarity = -0.7, .state = -1}},

    // Deals won, facilities opened or closed.
    {"won|win|wins|winning|awarded|received|receive|receives|receiving|secured|secure|"
     "secures|securing|landed|lands|booked|clinched|clinches|obtained|obtain|obtains|granted|"
     "gets|got|get|selected as|chosen as|chosen to|selected to|been selected|been chosen",
     role(kReceiptVerb)},
    {"selected as|chosen as|chosen to|selected to|been selected|been chosen", polar(0.6)},
    {"signed|sign|signs|signing|entered into|enters into|concluded|concludes|reached|reaches|"
     "agreed on|inked", role(kSigningVerb)},
    {"order|orders|contract|contracts|deal|deals|agreement|agreements|letter of intent|"
     "memorandum of understanding|tender|project|projects|assignment|mandate|patent|patents|"
     "license|licence|licenses|licences|financing|funding|approval|approvals|certification|"
     "partnership|supplier|supply agreement|framework agreement|marketing authorisation|"
     "marketing authorization|grant", role(kDealNoun)},
    {"ordered", role(kOrderedVerb)},
    {"met|meet|meets|meeting|reached|reach|reaches|achieved|achieve|achieves|achieving|"
     "attained|hit|hits", role(kAchieveVerb)},
    {"target|targets|goal|goals|objective|objectives|profitability target|"
     "profitability targets|sales target|sales targets|financial targets", role(kTarget)},
    {"close|closes|closed|closing|shut|shuts|shutting|shut down|shuts down|shutting down|"
     "close down|closes down|closed down|closing down|wind down|winds down|wound down",
     role(kCloseVerb)},
    {"shut down|shuts down|shutting down|close down|closes down|closed down|closing down|"
     "wind down|winds down|wound down", polar(-0.5)},
    {"open|opens|opened|opening|inaugurate|inaugurates|inaugurated|inaugurating",
     role(kOpenVerb)},
    {"plant|plants|mill|mills|sawmill|sawmills|factory|factories|unit|units|store|stores|"
     "shop|shops|office|offices|site|sites|line|lines|facility|facilities|mine|mines|hotel|"
     "hotels|branch|branches|outlet|outlets|operations|terminal|terminals|warehouse|"
     "warehouses|yard|shipyard|depot|restaurant|restaurants|centre|center|centres|centers|"
     "production line|production lines|production plant|printing plant|paper machine|"
     "data centre|data center|distribution centre|distribution center|outlets", role(kFacility)},

    // Words that are good or bad news on their own.
    {"record", polar(0.7)},
    {"record high|record-high|all-time high|all-time record|record level|record year|"
     "record quarter", polar(0.8)},
    {"record low|record-low|all-time low|week low|month low|year low", polar(-0.6)},
    {"week high|month high|year high", polar(0.6)},
    {"good|favourable|favorable|successful|successfully|succeeded|success|succeeds|"
     "profitable", polar(0.6)},
    {"excellent|positive|positively|outstanding", polar(0.7)},
    {"beat|beats|beating|exceeded|exceeds|exceed|exceeding|surpassed|surpass|surpasses|"
     "topped", polar(0.8)},
    {"outperformed|outperform|outperforms|outperforming", polar(0.7)},
    {"upgrade|upgrades|upgraded|upgrading", polar(0.9)},
    {"better than expected|better-than-expected|above expectations|ahead of expectations|"
     "above forecast|above forecasts|better than forecast|stronger than expected|"
     "stronger-than-expected|higher than expected|higher-than-expected", polar(1.0)},
    {"above the consensus|above consensus|above estimates|above analysts|"
     "above market expectations|above the market consensus|above analyst estimates",
     polar(0.8)},
    {"below the consensus|below consensus|below estimates|below analysts|"
     "below market expectations|below the market consensus|below analyst estimates",
     polar(-0.8)},
    {"ahead of schedule|on track|well positioned|well-positioned", polar(0.4)},
    {"pay off|paid off|pays off|paying off|turnaround|breakthrough|optimistic", polar(0.6)},
    {"benefited|benefitted|benefiting|benefitting|confident|boom|booming", polar(0.5)},
    {"benefit|benefits|advantage|attractive|efficient|surplus|synergies|milestone",
     polar(0.3)},
    {"cost savings|cost saving|savings|cost-cutting", polar(0.5)},
    {"pleased|delighted|satisfied", polar(0.4)},
    {"opportunity|opportunities|steady|launch|launched|launches|competitive|gain|gains",
     polar(0.2)},
    {"won|wins|awarded|award|awards", polar(0.3)},
    {"hire|hires|hired|hiring|recruit|recruits|recruited|recruiting|new jobs", polar(0.6)},
    {"broaden|broadens|broadened|broadening|diversify|diversifies|diversified", polar(0.4)},

    {"bad|tough|difficult|difficulties|problem|problems|damage|damaged|damages|accident|"
     "dispute|disputes|delay|delays|postponed|postpone|postpones|postponing|halt|shortfall",
     polar(-0.5)},
    {"challenging|challenges|pressure|pressures|investigation|probe|restructuring|fire|"
     "concern|concerns|worries|worried|fears|uncertain|uncertainty|volatile|volatility",
     polar(-0.3)},
    {"uncertainties", polar(-0.2)},
    {"discontinue|discontinues|discontinued|discontinuing|phase out|phased out", polar(-0.4)},
    {"under pressure|crisis|struggling|struggle|struggled|struggles|turmoil|halted|halts|"
     "stoppage|stoppages|strike|strikes|strike action|recall|recalled|recalls|delayed|"
     "terminated|termination|failed|failure|failures|fail|fails|violation|violations|breach|"
     "going concern|recession|cartel|price fixing|downsizing", polar(-0.6)},
    {"negative|negatively|worse|worst|underperformed|underperform|underperforms|warned|warns|"
     "penalty|penalties|weighed on|weigh on|weighs on|weighing on|hit by|hit hard|hard hit|"
     "hard-hit|burdened|burden|burdens|burdening|burdened by", polar(-0.7)},
    {"unprofitable|loss-making|lawsuit|lawsuits|legal action|closure|closures|a fine|fine of|"
     "fines|cancelled|canceled|cancellation|cancellations|cancel|cancels|miss|misses|"
     "disappointing|disappointed|disappointment|default|defaulted|defaults", polar(-0.8)},
    {"missed|downgrade|downgrades|downgraded|downgrading|sued|sues|sue|suing|fined|scandal|"
     "redundancies|redundancy|job losses|co-operation negotiations|cooperation negotiations|"
     "change negotiations|codetermination negotiations|layoff notices", polar(-0.9)},
    {"profit warning|profit warnings|below expectations|short of expectations|"
     "below forecast|below forecasts|fell short|falls short|fall short|falling short|"
     "worse than expected|worse-than-expected|weaker than expected|weaker-than-expected|"
     "lower than expected|lower-than-expected|bankruptcy|bankrupt|insolvency|insolvent|"
     "receivership|chapter 11|fraud|layoffs|layoff|lay off|lays off|laid off|laying off|"
     "lay-offs|lay-off|temporary layoffs", polar(-1.0)},
    {"warning", polar(-0.5)},

    // Modifiers.
    {"not|no|never|without|nor|neither|cannot|none|no longer|unable to|lack of|lacking|"
     "absence of|avoided|avoid|avoids|avoiding|prevented|prevents|prevent", role(kNegator)},
    {"failed to|fail to|fails to|failing to", {.polarity = -0.3, .roles = kNegator}},
    {"significantly|sharply|strongly|substantially|considerably|markedly|dramatically|"
     "greatly|steeply|clearly|notably|remarkably|very|highly|heavily|hugely|massively|"
     "significant|substantial|sharp|marked|dramatic|steep|huge|massive|clear|considerable|"
     "double-digit|solidly|rapidly|rapid|fast|quickly", scaling(kIntensifier, 1.3)},
    {"slightly|marginally|somewhat|modestly|moderately|mildly|partly|partially|slight|"
     "marginal|modest|moderate|a little|a bit|a touch|small", scaling(kDiminisher, 0.7)},
    {"may|might|could|possibly|potentially|perhaps|would|if", scaling(kHedge, 0.7)},
    {"despite|although|though|notwithstanding|in spite of|even though|even if",
     role(kConcession | kStop)},
    {"but|however|whereas|while|yet|meanwhile|on the other hand", role(kContrast | kStop)},
    {"from|compared to|compared with|as compared to|as compared with|in comparison with|"
     "versus|vs|against|compared", role(kComparisonMarker | kStop)},
    {"to|by|than|after|as|because|since|when|following|amid|on|at|which|that|who|and|or|"
     "for|with|during|until|into|through|was|were|is|are|be|been|being|has|have|had|will|"
     "said|says|where|including|excluding|except|within|per|before|mainly|mostly|due",
     role(kStop)},
    {"which|who|whom|whose|where|when|because|since", role(kClauseStart)},
    {"in|of", role(kStop | kNounLink)},
    {"was|were|is|are|been|be|remained|remain|remains|ended|end|stood|stayed|finished|closed",
     role(kCopula)},
    {"of|new|own|treasury|class|series|issue|issued|subscribed|registered", role(kNotObject)},
};
// clang-format on

Entry merged(Entry into, const Entry& from) {
  if (from.polarity != 0) into.polarity = from.polarity;
  if (from.object != 0) {
    into.object = from.object;
    into.object_weight = from.object_weight;
  }
  if (from.state != 0) into.state = from.state;
  if (from.direction != 0) {
    into.direction = from.direction;
    into.style = from.style;
    into.evaluative = from.evaluative;
  }
  if (from.scale != 1) into.scale = from.scale;
  into.roles |= from.roles;
  return into;
}

struct Tables {
  std::vector<std::string_view> words;  // every item's words, one after another
  std::vector<LexiconItem> items;
  std::unordered_map<std::string_view, const LexiconItem*> single;
  std::unordered_map<std::string_view, std::vector<const LexiconItem*>> phrases;

  Tables() {
    std::map<std::string_view, Entry> entries;  // ordered: the build is deterministic
    for (const Spec& spec : kSpecs) {
      std::string_view forms = spec.forms;
      while (!forms.empty()) {
        const std::size_t bar = forms.find('|');
        const std::string_view form = forms.substr(0, bar);
        forms = bar == std::string_view::npos ? std::string_view() : forms.substr(bar + 1);
        auto [at, inserted] = entries.try_emplace(form, spec.entry);
        if (!inserted) at->second = merged(at->second, spec.entry);
      }
    }
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // into `words`
    for (const auto& [text, entry] : entries) {
      const std::size_t begin = words.size();
      std::string_view rest = text;
      while (!rest.empty()) {
        const std::size_t space = rest.find(' ');
        words.push_back(rest.substr(0, space));
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      }
      spans.emplace_back(begin, words.size() - begin);
    }
    items.reserve(entries.size());
    std::size_t index = 0;
    for (const auto& [text, entry] : entries) {
      const auto [begin, count] = spans[index++];
      items.push_back(LexiconItem{text, std::span(words).subspan(begin, count), entry});
    }
    for (const LexiconItem& item : items) {
      if (item.words.size() == 1) {
        single.emplace(item.text, &item);
      } else {
        phrases[item.words.front()].push_back(&item);
      }
    }
    for (auto& [first, list] : phrases) {
      std::stable_sort(list.begin(), list.end(), [](const LexiconItem* a, const LexiconItem* b) {
        return a->words.size() > b->words.size();
      });
    }
  }
};

const Tables& tables() {
  static const Tables kTables;
  return kTables;
}

}  // namespace

const LexiconItem* find_word(std::string_view word) {
  const Tables& all = tables();
  const auto found = all.single.find(word);
  return found == all.single.end() ? nullptr : found->second;
}

std::span<const LexiconItem* const> phrases_starting_with(std::string_view word) {
  const Tables& all = tables();
  const auto found = all.phrases.find(word);
  if (found == all.phrases.end()) return {};
  return found->second;
}

std::size_t lexicon_size() { return tables().items.size(); }

}  // namespace aic::finance::sentiment
