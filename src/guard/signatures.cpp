#include "guard/signatures.h"

#include <re2/re2.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <re2/set.h>

#include "guard/image_names.h"

namespace rampart::guard {

namespace {

RE2::Options case_insensitive() {
  RE2::Options o;
  o.set_case_sensitive(false);
  o.set_log_errors(false);
  return o;
}

// Repository names of miner images seen on Docker Hub and in incident reports (names rather
// than full paths: the same miner is re-uploaded under many accounts).
const RE2& miner_image() {
  static const RE2 re(
      R"((^|[/_.:-])(xmrig|xmr-stak|xmrstak|xmr-node-proxy|xmrminer|monero-?miner|monero_cpu|moneroocean|minergate|)"
      R"(minerd|cpuminer|cpuminer-multi|cpuminer-opt|ccminer|cgminer|bfgminer|nbminer|t-rex|trex-miner|lolminer|)"
      R"(ethminer|phoenixminer|gminer|teamredminer|srbminer|srbminer-multi|nanominer|bminer|claymore|nicehash|)"
      R"(excavator|kannix|cryptonight|randomx-miner|hellminer|verus-?miner|kawpowminer|wildrig|xmr)([/_.:@-]|$))",
      case_insensitive());
  return re;
}

struct CommandRule {
  const char* rule;
  std::unique_ptr<RE2> re;
};

const std::vector<CommandRule>& command_rules() {
  static const std::vector<CommandRule> rules = [] {
    std::vector<CommandRule> r;
    auto add = [&](const char* rule, const char* pattern) {
      r.push_back({rule, std::make_unique<RE2>(pattern, case_insensitive())});
    };
    add("command.stratum", R"((stratum[0-9]?\+(tcp|ssl|tls)://[^\s'"]+))");
    add("command.pool-host",
        R"(((?:[a-z0-9-]+\.)*(minexmr|supportxmr|nanopool|moneroocean|hashvault|xmrpool|2miners|f2pool|c3pool|)"
        R"(herominers|nicehash|minergate|viabtc|ethermine|dwarfpool|monerohash|unmineable|zpool|prohashing|)"
        R"(mining-dutch|antpool|poolin|xmrfast|moneropool|skypool|hiveon|flexpool|woolypooly|kryptex)\.[a-z]{2,10}))");
    add("command.miner-flags",
        R"((--donate-level[= ]\s*\d+|--cpu-priority[= ]|--randomx-[a-z-]+|--coin[= ]\s*(monero|xmr)\b|)"
        R"(--algo[= ]\s*(rx/0|cn/r|cryptonight|randomx|kawpow|ethash)\b|-a\s+(rx/0|cryptonight|randomx)\b|)"
        R"(\s-o\s+[^\s]+:\d{2,5}\s(?:.*\s)?-u\s+[^\s]+|--url[= ][^\s]+:\d{2,5}\s(?:.*\s)?--user[= ][^\s]+))");
    // Standard (95 characters, starting 4) and integrated (106, starting 4) Monero addresses;
    // subaddresses start with 8.
    add("command.wallet", R"(\b([48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}(?:[1-9A-HJ-NP-Za-km-z]{11})?)\b)");
    add("command.miner-binary",
        R"(((?:^|[\s/;&|'"])(xmrig|xmr-stak|minerd|cpuminer(?:-multi|-opt)?|ccminer|nbminer|t-rex|lolminer|ethminer|)"
        R"(phoenixminer|gminer|teamredminer|srbminer|nanominer|hellminer|wildrig)(?:\.exe)?(?:$|[\s;&|'"])))");
    add("command.dropper",
        R"(((?:curl|wget|fetch)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:ba|da|z|k)?sh\b|)"
        R"(base64\s+(?:-d|--decode)\b[^|;&\n]*\|\s*(?:ba|da|z)?sh\b|)"
        R"(echo\s+['"]?[A-Za-z0-9+/=]{60,}['"]?\s*\|\s*base64\s+(?:-d|--decode)|)"
        R"((?:curl|wget)\b[^;&|\n]*(?:-o|-O|>)\s*\S+\s*(?:;|&&)\s*chmod\s+[+0-7]*x\b[^;&|\n]*(?:;|&&)\s*\S+))");
    return r;
  }();
  return rules;
}

std::string shorten_evidence(const std::string& s) { return s.size() > 80 ? s.substr(0, 77) + "..." : s; }

}  // namespace

namespace {

// The same few images are checked over and over (every submission, every step): verdicts are
// remembered, up to a bound, across threads.
class ImageVerdicts {
 public:
  std::optional<std::pair<bool, std::string>> find(std::string_view image) {
    std::lock_guard lock(mutex_);
    auto it = verdicts_.find(std::string(image));
    if (it == verdicts_.end()) return std::nullopt;
    return it->second;
  }
  void remember(std::string_view image, bool miner, const std::string& matched) {
    std::lock_guard lock(mutex_);
    if (verdicts_.size() >= 4096) verdicts_.clear();
    verdicts_[std::string(image)] = {miner, matched};
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<bool, std::string>> verdicts_;
};

ImageVerdicts& image_verdicts() {
  static ImageVerdicts verdicts;
  return verdicts;
}

bool judge_image(std::string_view image, std::string* matched) {
  // The tag and digest say nothing about what the image is; the registry and case neither.
  ImageName name = parse_image_name(image);
  std::string found;
  if (RE2::PartialMatch(name.registry + "/" + name.repository, miner_image(), nullptr, &found)) {
    if (matched) *matched = found;
    return true;
  }
  std::string miner, how;
  if (!looks_like_miner_image(name, &miner, &how)) return false;
  if (matched) *matched = how.empty() ? miner : miner + ", " + how;
  return true;
}

}  // namespace

bool is_known_miner_image(std::string_view image, std::string* matched) {
  if (image.size() > 512) return judge_image(image, matched);  // not a name: not worth remembering
  if (auto known = image_verdicts().find(image)) {
    if (matched) *matched = known->second;
    return known->first;
  }
  std::string found;
  bool miner = judge_image(image, &found);
  image_verdicts().remember(image, miner, found);
  if (matched) *matched = found;
  return miner;
}

// All command rules in one automaton: one pass over the text says which rules match at all,
// and only those are run again to extract their evidence. Most strings match none.
const RE2::Set& command_rule_set() {
  static const RE2::Set set = [] {
    RE2::Set s(case_insensitive(), RE2::UNANCHORED);
    for (const auto& rule : command_rules()) s.Add(rule.re->pattern(), nullptr);
    s.Compile();
    return s;
  }();
  return set;
}

std::vector<SignatureMatch> command_signatures(std::string_view text) {
  std::vector<SignatureMatch> out;
  if (text.size() < 4) return out;
  re2::StringPiece input(text.data(), text.size());
  std::vector<int> matched;
  if (!command_rule_set().Match(input, &matched)) return out;
  std::sort(matched.begin(), matched.end());
  const auto& rules = command_rules();
  for (int index : matched) {
    const auto& rule = rules[static_cast<size_t>(index)];
    std::string found;
    if (RE2::PartialMatch(input, *rule.re, &found)) out.push_back({rule.rule, shorten_evidence(found)});
  }
  return out;
}

std::vector<SignatureMatch> content_signatures(std::string_view text) {
  std::vector<SignatureMatch> out = command_signatures(text);
  std::erase_if(out, [](const SignatureMatch& m) { return m.rule == std::string("command.dropper"); });
  return out;
}

bool is_miner_process(std::string_view executable, std::string_view command_line, std::string* evidence) {
  std::string exe(executable);
  size_t slash = exe.rfind('/');
  std::string base = slash == std::string::npos ? exe : exe.substr(slash + 1);
  static const RE2 binary(
      R"(^(xmrig|xmr-stak|minerd|cpuminer(-multi|-opt)?|ccminer|nbminer|t-rex|lolminer|ethminer|phoenixminer|)"
      R"(gminer|teamredminer|srbminer|nanominer|hellminer|wildrig|kdevtmpfsi|kinsing)$)",
      case_insensitive());
  if (!base.empty() && RE2::FullMatch(base, binary)) {
    if (evidence) *evidence = "executable " + base;
    return true;
  }
  for (const auto& m : command_signatures(command_line)) {
    if (m.rule == "command.dropper") continue;  // a finished download is not a running miner
    if (evidence) *evidence = m.rule + ": " + m.evidence;
    return true;
  }
  return false;
}

}  // namespace rampart::guard
