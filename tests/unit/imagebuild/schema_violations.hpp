// Validates a document against one of rdwarm's published JSON schemas (imagebuild/*.schema.json)
// with the project's validator, for the report and manifest tests. A schema that cannot be read or
// is itself invalid throws, so it can never pass for a document's violation.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "imagebuild/report/json_schema.hpp"

namespace rdwarm::testing {

// `schema_file` is relative to the source tree, e.g. "imagebuild/image-check.schema.json".
inline std::vector<std::string> schema_violations(const std::string& schema_file,
                                                  const nlohmann::json& document) {
  std::ifstream in(std::string(RDWARM_SOURCE_DIR) + "/" + schema_file);
  if (!in) throw std::runtime_error("cannot open " + schema_file);
  auto r = imagebuild::validate_json(nlohmann::json::parse(in), document);
  if (!r.ok()) throw std::runtime_error(schema_file + " itself: " + r.error().message());
  std::vector<std::string> out;
  for (const auto& v : *r) out.push_back(v.message());
  return out;
}

}  // namespace rdwarm::testing
