// A strict little XML reader for tests: enough of XML 1.0 to check that a
// report is well formed (one root, tags nested and closed, attributes quoted
// and unique, only the five named entities and character references, no raw
// '<' or '&', no control characters) and to read it back as a tree.
#pragma once

#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace crashbench {

struct XmlNode {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // character data directly inside, entities resolved
  std::vector<XmlNode> children;
};

namespace xml_check_internal {

class Reader {
 public:
  explicit Reader(const std::string& s) : s_(s) {}

  bool Document(XmlNode* root, std::string* error) {
    if (s_.compare(0, 5, "<?xml") == 0) {
      size_t end = s_.find("?>");
      if (end == std::string::npos) return Fail("unterminated XML declaration", error);
      pos_ = end + 2;
    }
    SkipSpace();
    if (!Element(root, error)) return false;
    SkipSpace();
    if (pos_ != s_.size()) return Fail("content after the root element", error);
    return true;
  }

 private:
  bool Fail(const std::string& what, std::string* error) {
    *error = what + " at byte " + std::to_string(pos_);
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  static bool NameChar(char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.';
  }
  std::string Name() {
    size_t start = pos_;
    while (pos_ < s_.size() && NameChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // Character data up to '<' (text) or the closing quote (attribute).
  bool Chars(char stop, std::string* out, std::string* error) {
    while (pos_ < s_.size() && s_[pos_] != stop) {
      const unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '<') return Fail("raw '<' in character data", error);
      if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') return Fail("control character", error);
      if (c != '&') {
        *out += s_[pos_++];
        continue;
      }
      size_t semi = s_.find(';', pos_);
      if (semi == std::string::npos || semi - pos_ > 10) return Fail("raw '&'", error);
      const std::string ent = s_.substr(pos_ + 1, semi - pos_ - 1);
      static const std::map<std::string, char> kNamed = {
          {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
      if (auto it = kNamed.find(ent); it != kNamed.end()) {
        *out += it->second;
      } else if (ent.size() > 1 && ent[0] == '#') {
        const long v =
            ent[1] == 'x' ? std::stol(ent.substr(2), nullptr, 16) : std::stol(ent.substr(1));
        if (v != 9 && v != 10 && v != 13 && (v < 0x20 || v > 0x7e))
          return Fail("unexpected character reference", error);
        *out += static_cast<char>(v);
      } else {
        return Fail("unknown entity &" + ent + ";", error);
      }
      pos_ = semi + 1;
    }
    return true;
  }
  bool Element(XmlNode* node, std::string* error) {
    if (pos_ >= s_.size() || s_[pos_] != '<') return Fail("expected '<'", error);
    ++pos_;
    node->name = Name();
    if (node->name.empty()) return Fail("empty element name", error);
    for (;;) {
      SkipSpace();
      if (s_.compare(pos_, 2, "/>") == 0) {
        pos_ += 2;
        return true;
      }
      if (pos_ < s_.size() && s_[pos_] == '>') {
        ++pos_;
        break;
      }
      std::string attr = Name();
      if (attr.empty()) return Fail("bad attribute in <" + node->name + ">", error);
      if (s_.compare(pos_, 2, "=\"") != 0) return Fail("attribute " + attr + " not quoted", error);
      pos_ += 2;
      std::string value;
      if (!Chars('"', &value, error)) return false;
      if (pos_ >= s_.size()) return Fail("unterminated attribute", error);
      ++pos_;
      if (!node->attrs.emplace(attr, value).second)
        return Fail("attribute " + attr + " twice", error);
    }
    for (;;) {
      if (!Chars('<', &node->text, error)) return false;
      if (pos_ >= s_.size()) return Fail("<" + node->name + "> never closed", error);
      if (s_.compare(pos_, 2, "</") == 0) {
        pos_ += 2;
        if (Name() != node->name)
          return Fail("mismatched closing tag for <" + node->name + ">", error);
        SkipSpace();
        if (pos_ >= s_.size() || s_[pos_] != '>') return Fail("bad closing tag", error);
        ++pos_;
        return true;
      }
      node->children.emplace_back();
      if (!Element(&node->children.back(), error)) return false;
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
};

}  // namespace xml_check_internal

// True when xml is well formed; *root is its tree. Else *error says where.
inline bool ParseXml(const std::string& xml, XmlNode* root, std::string* error) {
  return xml_check_internal::Reader(xml).Document(root, error);
}

}  // namespace crashbench
