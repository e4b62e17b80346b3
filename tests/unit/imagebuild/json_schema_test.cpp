// The JSON Schema subset validator that checks rdwarm's reports against their published schemas:
// each keyword accepts what it should and rejects what it should, and a schema that uses
// anything outside the subset is refused instead of passing silently.
#include "imagebuild/report/json_schema.hpp"

#include <gtest/gtest.h>

namespace rdwarm::imagebuild {
namespace {

using nlohmann::json;

std::vector<std::string> violations(const json& schema, const json& doc) {
  auto r = validate_json(schema, doc);
  if (!r.ok()) throw std::runtime_error("schema error: " + r.error().message());
  std::vector<std::string> out;
  for (const auto& v : *r) out.push_back(v.message());
  return out;
}

bool valid(const json& schema, const json& doc) {
  return violations(schema, doc).empty();
}

TEST(JsonSchema, Type) {
  const json s = {{"type", "integer"}};
  EXPECT_TRUE(valid(s, 3));
  EXPECT_TRUE(valid(s, 3.0));
  EXPECT_FALSE(valid(s, 3.5));
  EXPECT_FALSE(valid(s, "3"));
  const json n = {{"type", "number"}};
  EXPECT_TRUE(valid(n, 3.5));
  EXPECT_FALSE(valid(n, true));
  const json either = {{"type", json::array({"string", "null"})}};
  EXPECT_TRUE(valid(either, nullptr));
  EXPECT_TRUE(valid(either, "x"));
  EXPECT_FALSE(valid(either, json::object()));
  EXPECT_EQ(violations(either, 1).front(), R"(/: expected ["string","null"], got integer)");
  EXPECT_TRUE(valid({{"type", "boolean"}}, false));
  EXPECT_FALSE(valid({{"type", "array"}}, json::object()));
}

TEST(JsonSchema, EnumAndConst) {
  const json s = {{"enum", {"pass", "warn", 0}}};
  EXPECT_TRUE(valid(s, "warn"));
  EXPECT_TRUE(valid(s, 0));
  EXPECT_TRUE(valid(s, 0.0));  // numbers compare by value
  EXPECT_FALSE(valid(s, "ok"));
  EXPECT_EQ(violations(s, "ok").front(), R"(/: "ok" is not one of ["pass","warn",0])");
  EXPECT_TRUE(valid({{"const", "rdwarm.image-check/1"}}, "rdwarm.image-check/1"));
  EXPECT_FALSE(valid({{"const", "rdwarm.image-check/1"}}, "rdwarm.image-check/2"));
}

TEST(JsonSchema, ObjectsRequiredPropertiesAndAdditional) {
  const json s = {{"type", "object"},
                  {"required", {"a"}},
                  {"properties", {{"a", {{"type", "string"}}}, {"b", {{"type", "integer"}}}}},
                  {"additionalProperties", false}};
  EXPECT_TRUE(valid(s, {{"a", "x"}}));
  EXPECT_TRUE(valid(s, {{"a", "x"}, {"b", 2}}));
  EXPECT_EQ(violations(s, {{"b", 2}}).front(), R"(/: required property "a" is missing)");
  EXPECT_EQ(violations(s, {{"a", "x"}, {"c", 1}}).front(), R"(/c: property "c" is not allowed)");
  EXPECT_EQ(violations(s, {{"a", 1}}).front(), R"(/a: expected "string", got integer)");
  const json extra = {{"additionalProperties", {{"type", "integer"}}}};
  EXPECT_TRUE(valid(extra, {{"x", 1}}));
  EXPECT_FALSE(valid(extra, {{"x", "1"}}));
  // Without additionalProperties, unknown properties are allowed.
  EXPECT_TRUE(valid({{"properties", {{"a", {{"type", "string"}}}}}}, {{"z", 1}}));
}

TEST(JsonSchema, ArraysItemsAndCounts) {
  const json s = {
      {"type", "array"}, {"items", {{"type", "integer"}}}, {"minItems", 1}, {"maxItems", 2}};
  EXPECT_TRUE(valid(s, {1, 2}));
  EXPECT_FALSE(valid(s, json::array()));
  EXPECT_FALSE(valid(s, {1, 2, 3}));
  EXPECT_EQ(violations(s, {1, "x"}).front(), R"(/1: expected "integer", got string)");
}

TEST(JsonSchema, NumbersAndStrings) {
  const json n = {{"minimum", 1}, {"maximum", 65535}};
  EXPECT_TRUE(valid(n, 1));
  EXPECT_TRUE(valid(n, 65535));
  EXPECT_FALSE(valid(n, 0));
  EXPECT_FALSE(valid(n, 65536));
  EXPECT_TRUE(valid(n, "not a number: bounds do not apply"));
  const json s = {{"minLength", 2}, {"maxLength", 3}, {"pattern", "^[a-z]+$"}};
  EXPECT_TRUE(valid(s, "ab"));
  EXPECT_FALSE(valid(s, "a"));
  EXPECT_FALSE(valid(s, "abcd"));
  EXPECT_FALSE(valid(s, "AB"));
  // Lengths count characters, not bytes: "éé" is two.
  EXPECT_TRUE(valid({{"maxLength", 2}}, "\xc3\xa9\xc3\xa9"));
  // pattern is a search, as JSON Schema says, unless anchored.
  EXPECT_TRUE(valid({{"pattern", "b"}}, "abc"));
}

TEST(JsonSchema, RefsAndBooleanSchemas) {
  const json s = {{"$defs", {{"port", {{"type", "integer"}, {"minimum", 1}}}}},
                  {"type", "array"},
                  {"items", {{"$ref", "#/$defs/port"}}}};
  EXPECT_TRUE(valid(s, {1, 2}));
  EXPECT_EQ(violations(s, {1, 0}).front(), "/1: 0 is less than the minimum 1");
  EXPECT_TRUE(valid(true, {{"anything", 1}}));
  EXPECT_FALSE(valid(false, 1));
  EXPECT_FALSE(valid({{"properties", {{"x", false}}}}, {{"x", 1}}));
}

TEST(JsonSchema, PointerEscapesInPaths) {
  const json s = {{"additionalProperties", {{"type", "string"}}}};
  EXPECT_EQ(violations(s, {{"a/b~c", 1}}).front(), R"(/a~1b~0c: expected "string", got integer)");
}

TEST(JsonSchema, SchemasOutsideTheSubsetAreRefused) {
  for (const json& bad :
       {json{{"oneOf", json::array()}}, json{{"format", "date-time"}},
        json{{"properties", {{"x", {{"anyOf", json::array()}}}}}}, json{{"type", "text"}},
        json{{"enum", json::array()}}, json{{"items", json::array({true})}}, json{{"minItems", -1}},
        json{{"pattern", "("}}, json{{"$ref", "#/$defs/missing"}}, json{{"$ref", "other.json#/x"}},
        json(3)}) {
    EXPECT_FALSE(validate_json(bad, 1).ok()) << bad.dump();
  }
  EXPECT_NE(validate_json({{"oneOf", json::array()}}, 1).error().message().find("oneOf"),
            std::string::npos);
}

TEST(JsonSchema, SelfReferenceIsBoundedNotEndless) {
  const json s = {{"$defs", {{"a", {{"$ref", "#/$defs/a"}}}}}, {"$ref", "#/$defs/a"}};
  const auto r = validate_json(s, 1);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_NE(r->front().what.find("deeper"), std::string::npos);
}

}  // namespace
}  // namespace rdwarm::imagebuild
