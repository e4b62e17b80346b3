#include "imagebuild/report/json_schema.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string_view>

namespace rdwarm::imagebuild {

namespace {

using nlohmann::json;

constexpr const char* kWhere = "JSON schema";
// $ref chains deeper than this are a schema error (a $ref that points at itself would not end).
constexpr int kMaxDepth = 64;

const std::set<std::string_view>& known_keywords() {
  static const std::set<std::string_view> k{"$schema",
                                            "$id",
                                            "$defs",
                                            "$comment",
                                            "title",
                                            "description",
                                            "examples",
                                            "type",
                                            "enum",
                                            "const",
                                            "properties",
                                            "required",
                                            "additionalProperties",
                                            "items",
                                            "minItems",
                                            "maxItems",
                                            "minimum",
                                            "maximum",
                                            "minLength",
                                            "maxLength",
                                            "pattern",
                                            "$ref"};
  return k;
}

const std::set<std::string_view>& type_names() {
  static const std::set<std::string_view> k{"null",   "boolean", "object", "array",
                                            "number", "integer", "string"};
  return k;
}

std::string escape_pointer_token(const std::string& token) {
  std::string out;
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool is_count(const json& v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
}

std::size_t utf8_length(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U; }));
}

bool has_type(const json& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

std::string json_type_name(const json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number_float()) return "number";
  return v.type_name();
}

// Checks the schema once, before any document: every keyword known and well-formed, every $ref
// resolvable, every pattern a valid regular expression.
class SchemaCheck {
 public:
  explicit SchemaCheck(const json& root) : root_(root) {}

  std::optional<Error> run() { return walk(root_, ""); }

 private:
  std::optional<Error> fail(const std::string& path, const std::string& what) {
    return make_error(kWhere, path.empty() ? "/" : path, what);
  }

  std::optional<Error> walk(const json& s, const std::string& path) {
    if (s.is_boolean()) return std::nullopt;
    if (!s.is_object()) return fail(path, "a schema must be an object or a boolean");
    for (const auto& [key, value] : s.items()) {
      const std::string at = path + "/" + escape_pointer_token(key);
      if (!known_keywords().contains(key)) {
        return fail(at, "unsupported keyword '" + key + "'");
      }
      if (auto e = check_keyword(key, value, at)) return e;
    }
    return std::nullopt;
  }

  std::optional<Error> check_keyword(const std::string& key, const json& v, const std::string& at) {
    if (key == "type") {
      const auto names = v.is_array() ? v : json::array({v});
      for (const auto& n : names) {
        if (!n.is_string() || !type_names().contains(n.get<std::string>())) {
          return fail(at, "expected a type name or a list of them");
        }
      }
    } else if (key == "enum") {
      if (!v.is_array() || v.empty()) return fail(at, "expected a non-empty array");
    } else if (key == "required") {
      if (!v.is_array() ||
          !std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_string(); })) {
        return fail(at, "expected an array of property names");
      }
    } else if (key == "properties" || key == "$defs") {
      if (!v.is_object()) return fail(at, "expected an object of schemas");
      for (const auto& [name, sub] : v.items()) {
        if (auto e = walk(sub, at + "/" + escape_pointer_token(name))) return e;
      }
    } else if (key == "additionalProperties" || key == "items") {
      if (key == "items" && v.is_array()) return fail(at, "array form of items is unsupported");
      return walk(v, at);
    } else if (key == "minItems" || key == "maxItems" || key == "minLength" || key == "maxLength") {
      if (!is_count(v)) return fail(at, "expected a non-negative integer");
    } else if (key == "minimum" || key == "maximum") {
      if (!v.is_number()) return fail(at, "expected a number");
    } else if (key == "pattern") {
      if (!v.is_string()) return fail(at, "expected a regular expression");
      try {
        std::regex compiled(v.get<std::string>(), std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        return fail(at, std::string("not a regular expression: ") + e.what());
      }
    } else if (key == "$ref") {
      if (!v.is_string()) return fail(at, "expected a string");
      const auto ref = v.get<std::string>();
      if (!ref.starts_with('#')) return fail(at, "only references within the schema (#/...)");
      try {
        (void)root_.at(json::json_pointer(ref.substr(1)));
      } catch (const json::exception&) {
        return fail(at, "\"" + ref + "\" does not resolve");
      }
    }
    return std::nullopt;
  }

  const json& root_;
};

class Validator {
 public:
  explicit Validator(const json& root) : root_(root) {}

  std::vector<SchemaViolation> run(const json& document) {
    validate(root_, document, "", 0);
    return std::move(violations_);
  }

 private:
  void violate(const std::string& path, std::string what) {
    violations_.push_back(SchemaViolation{path, std::move(what)});
  }

  const std::regex& regex_for(const std::string& pattern) {
    auto it = regexes_.find(pattern);
    if (it == regexes_.end()) {
      it = regexes_.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
    }
    return it->second;
  }

  void validate(const json& s, const json& v, const std::string& path, int depth) {
    if (s.is_boolean()) {
      if (!s.get<bool>()) violate(path, "no value is allowed here");
      return;
    }
    if (depth > kMaxDepth) {
      violate(path, "the schema nests deeper than " + std::to_string(kMaxDepth) + " levels");
      return;
    }
    if (const auto ref = s.find("$ref"); ref != s.end()) {
      const auto& target = root_.at(json::json_pointer(ref->get<std::string>().substr(1)));
      validate(target, v, path, depth + 1);
    }
    if (const auto t = s.find("type"); t != s.end()) {
      const auto names = t->is_array() ? *t : json::array({*t});
      const bool ok = std::any_of(names.begin(), names.end(),
                                  [&](const json& n) { return has_type(v, n.get<std::string>()); });
      if (!ok) {
        violate(path, "expected " + t->dump() + ", got " + json_type_name(v));
        return;  // the other keywords would only repeat the mismatch
      }
    }
    if (const auto e = s.find("enum"); e != s.end()) {
      if (std::find(e->begin(), e->end(), v) == e->end()) {
        violate(path, v.dump() + " is not one of " + e->dump());
      }
    }
    if (const auto c = s.find("const"); c != s.end() && *c != v) {
      violate(path, v.dump() + " is not " + c->dump());
    }
    if (v.is_object()) validate_object(s, v, path, depth);
    if (v.is_array()) validate_array(s, v, path, depth);
    if (v.is_number()) validate_number(s, v, path);
    if (v.is_string()) validate_string(s, v, path);
  }

  void validate_object(const json& s, const json& v, const std::string& path, int depth) {
    if (const auto req = s.find("required"); req != s.end()) {
      for (const auto& name : *req) {
        if (!v.contains(name.get<std::string>())) {
          violate(path, "required property \"" + name.get<std::string>() + "\" is missing");
        }
      }
    }
    const auto props = s.find("properties");
    const auto extra = s.find("additionalProperties");
    for (const auto& [key, value] : v.items()) {
      const std::string at = path + "/" + escape_pointer_token(key);
      if (props != s.end() && props->contains(key)) {
        validate((*props)[key], value, at, depth + 1);
      } else if (extra != s.end()) {
        if (extra->is_boolean() && !extra->get<bool>()) {
          violate(at, "property \"" + key + "\" is not allowed");
        } else {
          validate(*extra, value, at, depth + 1);
        }
      }
    }
  }

  void validate_array(const json& s, const json& v, const std::string& path, int depth) {
    if (const auto n = s.find("minItems"); n != s.end() && v.size() < n->get<std::size_t>()) {
      violate(path, "has " + std::to_string(v.size()) + " items, fewer than " + n->dump());
    }
    if (const auto n = s.find("maxItems"); n != s.end() && v.size() > n->get<std::size_t>()) {
      violate(path, "has " + std::to_string(v.size()) + " items, more than " + n->dump());
    }
    if (const auto items = s.find("items"); items != s.end()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        validate(*items, v[i], path + "/" + std::to_string(i), depth + 1);
      }
    }
  }

  void validate_number(const json& s, const json& v, const std::string& path) {
    const double d = v.get<double>();
    if (const auto m = s.find("minimum"); m != s.end() && d < m->get<double>()) {
      violate(path, v.dump() + " is less than the minimum " + m->dump());
    }
    if (const auto m = s.find("maximum"); m != s.end() && d > m->get<double>()) {
      violate(path, v.dump() + " is more than the maximum " + m->dump());
    }
  }

  void validate_string(const json& s, const json& v, const std::string& path) {
    const auto& text = v.get_ref<const std::string&>();
    const auto length = utf8_length(text);
    if (const auto n = s.find("minLength"); n != s.end() && length < n->get<std::size_t>()) {
      violate(path, "is shorter than " + n->dump() + " characters");
    }
    if (const auto n = s.find("maxLength"); n != s.end() && length > n->get<std::size_t>()) {
      violate(path, "is longer than " + n->dump() + " characters");
    }
    if (const auto p = s.find("pattern"); p != s.end()) {
      if (!std::regex_search(text, regex_for(p->get<std::string>()))) {
        violate(path, v.dump() + " does not match " + p->dump());
      }
    }
  }

  const json& root_;
  std::vector<SchemaViolation> violations_;
  std::map<std::string, std::regex> regexes_;
};

}  // namespace

Result<std::vector<SchemaViolation>> validate_json(const json& schema, const json& document) {
  if (auto e = SchemaCheck(schema).run()) return *e;
  return Validator(schema).run(document);
}

}  // namespace rdwarm::imagebuild
