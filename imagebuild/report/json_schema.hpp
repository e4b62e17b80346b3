// Validates a JSON document against a JSON Schema (2020-12) written with the subset of keywords
// rdwarm's report schemas use. Debian has no C++ JSON Schema validator, and the subset is small.
// A keyword outside the subset makes the schema an error, never a silent pass: a schema must not
// promise a check that nothing performs.
//
// Supported: type, enum, const, properties, required, additionalProperties, items, minItems,
// maxItems, minimum, maximum, minLength, maxLength, pattern, $ref ("#/..." within the document),
// boolean schemas; annotations $schema, $id, $defs, $comment, title, description, examples.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "licensing/wire/result.hpp"

namespace rdwarm::imagebuild {

struct SchemaViolation {
  std::string instance_path;  // JSON pointer into the document, "" for the root
  std::string what;           // e.g. "\"ok\" is not one of [\"pass\",\"warn\"]"
  [[nodiscard]] std::string message() const {
    return (instance_path.empty() ? std::string("/") : instance_path) + ": " + what;
  }
};

// The schema's own errors (an unsupported keyword, a $ref that does not resolve) are an Error;
// the document's are the returned violations (empty: valid).
Result<std::vector<SchemaViolation>> validate_json(const nlohmann::json& schema,
                                                   const nlohmann::json& document);

}  // namespace rdwarm::imagebuild
