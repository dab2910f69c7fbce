// SecretMasker: each form of a value is masked, short values only as tokens, overlapping values
// leave nothing behind, unrelated text is untouched, and a Stream masks values split across
// writes while holding back no more than it must.
#include "common/secret_masker.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/secret_forms.h"

namespace rampart {
namespace {

const std::string kRedacted(SecretMasker::kReplacement);

std::string masked(const std::vector<std::string>& values, const std::string& text) {
  return SecretMasker(values).mask(text);
}

TEST(SecretMasker, MasksTheRawValueAndLeavesTheRest) {
  EXPECT_EQ(masked({"S3cr3tValue"}, "token=S3cr3tValue; again S3cr3tValue\n"),
            "token=" + kRedacted + "; again " + kRedacted + "\n");
}

TEST(SecretMasker, LeavesUnrelatedTextAlone) {
  SecretMasker m({"S3cr3tValue", "ab", "hunter22"});
  for (std::string text : {"", "hello world\n", "S3cr3tValu and 3cr3tValue", "abc table cab xab abé", "hunter2",
                           "{\"phase\":\"Succeeded\",\"progress\":\"1/1\"}"}) {
    EXPECT_EQ(m.mask(text), text) << text;
  }
}

TEST(SecretMasker, MasksJsonEscapedValues) {
  // What python3 -c 'import json,os; print(json.dumps(os.environ["S"]))' prints.
  std::string value = "pa\"ss\\wörd";
  EXPECT_EQ(masked({value}, R"({"v": "pa\"ss\\wörd"})"), "{\"v\": \"" + kRedacted + "\"}");
  EXPECT_EQ(masked({value}, R"({"v": "pa\"ss\\w\u00f6rd"})"), "{\"v\": \"" + kRedacted + "\"}");
  EXPECT_EQ(masked({"line one\nline two"}, R"("line one\nline two")"), "\"" + kRedacted + "\"");
}

TEST(SecretMasker, MasksShellQuotedValues) {
  EXPECT_EQ(masked({"it's-secret"}, "echo 'it'\\''s-secret'"), "echo '" + kRedacted + "'");
  EXPECT_EQ(masked({"it's-secret"}, "echo 'it'\"'\"'s-secret'"), "echo '" + kRedacted + "'");
  EXPECT_EQ(masked({"a$b\"c`d\\e"}, "x=\"a\\$b\\\"c\\`d\\\\e\""), "x=\"" + kRedacted + "\"");
  EXPECT_EQ(masked({"p w!d(1)"}, "run p\\ w\\!d\\(1\\)"), "run " + kRedacted);
}

TEST(SecretMasker, MasksUrlEncodedValues) {
  SecretMasker m({"a b/c?d=é"});
  EXPECT_EQ(m.mask("u?q=a%20b%2Fc%3Fd%3D%C3%A9&x"), "u?q=" + kRedacted + "&x");
  EXPECT_EQ(m.mask("u?q=a%20b%2fc%3fd%3d%c3%a9&x"), "u?q=" + kRedacted + "&x");
  EXPECT_EQ(m.mask("u?q=a%20b/c%3Fd%3D%C3%A9&x"), "u?q=" + kRedacted + "&x");
  EXPECT_EQ(m.mask("u?q=a+b%2Fc%3Fd%3D%C3%A9&x"), "u?q=" + kRedacted + "&x");
}

TEST(SecretMasker, MasksEachLineOfAMultiLineValue) {
  std::string pem =
      "-----BEGIN TEST KEY-----\r\n"
      "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf\r\n"
      "9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit\r\n"
      "-----END TEST KEY-----\n";
  SecretMasker m({pem, "{\n  \"k\": \"v4lue-of-json\"\n}\n"});
  EXPECT_EQ(m.mask("got " + pem), "got " + kRedacted);
  EXPECT_EQ(m.mask("line: 9Cnzj4p4WGeKLs1Pt8QuKUpRKfFLfRYC9AIKjbJTWit!"), "line: " + kRedacted + "!");
  EXPECT_EQ(m.mask("    \"k\": \"v4lue-of-json\""), "    " + kRedacted);
  // A line such as "{" is not secret: masking it would garble every JSON document.
  EXPECT_EQ(m.mask("{ }"), "{ }");
}

TEST(SecretMasker, MasksTheValueTrimmedOfWhitespace) {
  EXPECT_EQ(masked({"  padded-secret\n"}, "[padded-secret]"), "[" + kRedacted + "]");
}

// Whatever surrounds the value in a base64 blob, at most the characters that also encode the
// surrounding bytes survive: 4 per 3 bytes of context plus the two partial characters.
TEST(SecretMasker, MasksBase64InsideLargerBlobsAtEveryAlignment) {
  std::string value = "correct horse battery staple";
  SecretMasker m({value});
  for (size_t before = 0; before < 6; ++before) {
    for (size_t after = 0; after < 4; ++after) {
      std::string blob = base64_standard(std::string(before, 'x') + value + std::string(after, 'y'));
      std::string url = blob;
      for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
      for (const std::string& encoded : {blob, url}) {
        std::string out = m.mask(encoded);
        ASSERT_NE(out.find(kRedacted), std::string::npos) << encoded;
        EXPECT_LE(out.size() - kRedacted.size(), (before + after) * 4 / 3 + 2 + 4) << encoded << " -> " << out;
      }
    }
  }
  EXPECT_EQ(m.mask(base64_standard(value)), kRedacted);
  EXPECT_EQ(m.mask(base64_standard(value + "\n")), kRedacted);  // echo "$S" | base64
}

TEST(SecretMasker, MasksEachLineOfWrappedBase64) {
  std::string value(150, 'k');
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>('a' + (i * 7) % 26);
  for (std::string encoded : {base64_standard(value), base64_standard(value + "\n"), base64_standard(value + "xy")}) {
    for (size_t width : {64u, 76u}) {
      std::string wrapped;
      for (size_t at = 0; at < encoded.size(); at += width) wrapped += encoded.substr(at, width) + "\n";
      std::string out = masked({value}, wrapped);
      // What survives encodes what follows the value (padding, "\n", "xy"), nothing of it.
      std::string rest;
      for (size_t at = 0; at < out.size();) {
        if (out.compare(at, kRedacted.size(), kRedacted) == 0)
          at += kRedacted.size();
        else if (out[at] == '\n')
          ++at;
        else
          rest += out[at++];
      }
      EXPECT_LE(rest.size(), 4u) << wrapped << " -> " << out;
    }
  }
}

TEST(SecretMasker, MasksShortValuesOnlyAsWholeTokens) {
  SecretMasker m({"ab", "7"});
  EXPECT_EQ(m.mask("ab"), kRedacted);
  EXPECT_EQ(m.mask("x=ab;"), "x=" + kRedacted + ";");
  EXPECT_EQ(m.mask("'ab' \"ab\"\nab_x"), "'" + kRedacted + "' \"" + kRedacted + "\"\n" + kRedacted + "_x");
  EXPECT_EQ(m.mask("abc table cab xab éab abé"), "abc table cab xab éab abé");
  EXPECT_EQ(m.mask("exit 7, 17, 77, 7x"), "exit " + kRedacted + ", 17, 77, 7x");
  // The longest forms are base64 ("YWI=", "YWIK" for "ab\n"): "YWI" may still become one.
  EXPECT_EQ(m.max_held_bytes(), 3u);
}

TEST(SecretMasker, OverlappingAndAdjacentValuesLeaveNothingBehind) {
  SecretMasker m({"abcdef12", "ef12ghij", "XYZW"});
  EXPECT_EQ(m.mask("[abcdef12ghij]"), "[" + kRedacted + "]");
  EXPECT_EQ(m.mask("<abcdef12XYZW>"), "<" + kRedacted + ">");
  EXPECT_EQ(m.mask("abcdef12 XYZW"), kRedacted + " " + kRedacted);
}

TEST(SecretMasker, EmptyMaskerChangesNothing) {
  SecretMasker m({"", ""});
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.mask("anything"), "anything");
  EXPECT_FALSE(SecretMasker({"x"}).empty());
}

TEST(SecretMasker, KnowsItsValuesExactly) {
  SecretMasker m({"one-value", "two"});
  EXPECT_TRUE(m.is_secret_value("one-value"));
  EXPECT_TRUE(m.is_secret_value("two"));
  EXPECT_FALSE(m.is_secret_value("one-valu"));
  EXPECT_FALSE(m.is_secret_value("x one-value"));
}

TEST(SecretMasker, MasksJsonStringsAndKeysKeepingTheStructure) {
  SecretMasker m({"S3cr3tValue", "42"});
  nlohmann::json doc = {{"message", "got S3cr3tValue"},
                        {"S3cr3tValue", 1},
                        {"list", {"42", 42, "x 42", true}},
                        {"nested", {{"deep", "S3cr3tValue"}}}};
  m.mask_json(doc);
  EXPECT_EQ(doc["message"], "got " + kRedacted);
  EXPECT_EQ(doc[kRedacted], 1);
  EXPECT_FALSE(doc.contains("S3cr3tValue"));
  EXPECT_EQ(doc["list"], nlohmann::json({kRedacted, 42, "x " + kRedacted, true}));
  EXPECT_EQ(doc["nested"]["deep"], kRedacted);
}

std::string stream_in_pieces(const SecretMasker& m, const std::string& text, const std::vector<size_t>& cuts) {
  SecretMasker::Stream stream(m);
  std::string out;
  size_t at = 0;
  for (size_t cut : cuts) {
    stream.write(std::string_view(text).substr(at, cut - at), out);
    EXPECT_LE(stream.held(), m.max_held_bytes());
    at = cut;
  }
  stream.write(std::string_view(text).substr(at), out);
  stream.finish(out);
  return out;
}

TEST(SecretMaskerStream, MasksValuesSplitAtEveryBoundary) {
  std::vector<std::string> values = {"S3cr3tValue", "ab", "multi\nline-secret"};
  SecretMasker m(values);
  size_t longest = 0;
  for (const auto& v : values) {
    for (const auto& form : secret_forms(v)) longest = std::max(longest, form.size());
  }
  EXPECT_LE(m.max_held_bytes(), longest - 1);
  std::string text = "x S3cr3tValue ab y \"multi\\nline-secret\" multi\nline-secret ab";
  std::string whole = m.mask(text);
  EXPECT_EQ(whole.find("S3cr3t"), std::string::npos);
  for (size_t cut = 0; cut <= text.size(); ++cut) EXPECT_EQ(stream_in_pieces(m, text, {cut}), whole) << cut;
  std::vector<size_t> every_byte;
  for (size_t i = 1; i < text.size(); ++i) every_byte.push_back(i);
  EXPECT_EQ(stream_in_pieces(m, text, every_byte), whole);
}

TEST(SecretMaskerStream, ATokenAtAChunkEndWaitsForTheNextByte) {
  SecretMasker m({"ab"});
  EXPECT_EQ(stream_in_pieces(m, "x ab c", {4}), "x " + kRedacted + " c");
  EXPECT_EQ(stream_in_pieces(m, "x abc", {4}), "x abc");
  EXPECT_EQ(stream_in_pieces(m, "x ab", {4}), "x " + kRedacted);
}

// A live log must not lag: text that cannot be the start of a value is released at once.
TEST(SecretMaskerStream, HoldsBackOnlyWhatCouldStillBeAValue) {
  SecretMasker m({"S3cr3tValue"});
  SecretMasker::Stream stream(m);
  std::string out;
  stream.write("progress 1/2\n", out);
  EXPECT_EQ(out, "progress 1/2\n");
  EXPECT_EQ(stream.held(), 0u);
  stream.write("next: S3cr3t", out);
  EXPECT_EQ(out, "progress 1/2\nnext: ");
  EXPECT_EQ(stream.held(), 6u);
  stream.write("Value done\n", out);
  EXPECT_EQ(out, "progress 1/2\nnext: " + kRedacted + " done\n");
  EXPECT_EQ(stream.held(), 0u);
  stream.write("S3cr3", out);
  stream.finish(out);
  EXPECT_EQ(out, "progress 1/2\nnext: " + kRedacted + " done\nS3cr3");
}

// The automaton against a plain search over the same forms, on random texts made mostly of
// pieces of the values, so that partial and overlapping matches are common.
std::string reference_mask(const std::vector<std::string>& values, const std::string& text) {
  auto word = [](unsigned char c) { return c >= 0x80 || std::isalnum(c); };
  std::vector<bool> covered(text.size(), false);
  for (const auto& value : values) {
    for (const auto& form : secret_forms(value)) {
      for (size_t at = text.find(form); at != std::string::npos; at = text.find(form, at + 1)) {
        size_t end = at + form.size();
        bool token = (at == 0 || !word(text[at - 1])) && (end == text.size() || !word(text[end]));
        if (form.size() < SecretMasker::kMinAnywhereBytes && !token) continue;
        for (size_t i = at; i < end; ++i) covered[i] = true;
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!covered[i])
      out += text[i];
    else if (i == 0 || !covered[i - 1])
      out += kRedacted;
  }
  return out;
}

TEST(SecretMasker, AgreesWithAPlainSearchOnRandomText) {
  std::mt19937 random(7);
  const std::string alphabet = "ab1 \"\\\n=+/";
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> values;
    for (int v = 0; v < 3; ++v) {
      std::string value;
      size_t length = 1 + random() % 7;
      for (size_t i = 0; i < length; ++i) value += alphabet[random() % alphabet.size()];
      values.push_back(value);
    }
    std::string text;
    while (text.size() < 80) {
      if (random() % 3 == 0)
        text += values[random() % values.size()];
      else
        text += alphabet[random() % alphabet.size()];
    }
    SecretMasker m(values);
    std::string expected = reference_mask(values, text);
    ASSERT_EQ(m.mask(text), expected) << "round " << round;
    std::vector<size_t> cuts;
    for (size_t i = 1 + random() % 5; i < text.size(); i += 1 + random() % 5) cuts.push_back(i);
    ASSERT_EQ(stream_in_pieces(m, text, cuts), expected) << "round " << round;
  }
}

}  // namespace
}  // namespace rampart
