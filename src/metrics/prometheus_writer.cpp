#include "metrics/prometheus_writer.hpp"

#include <charconv>
#include <cmath>

namespace pend::metrics {

void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
}

void PrometheusWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusWriter::labels(std::initializer_list<Label> labels) {
  if (labels.size() == 0) return;
  out_ += '{';
  bool first = true;
  for (const auto& [key, val] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_ += key;
    out_ += "=\"";
    append_label_value(out_, val);
    out_ += '"';
  }
  out_ += '}';
}

void PrometheusWriter::value(double value) {
  out_ += ' ';
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out_.append(buffer, result.ptr);
  }
  out_ += '\n';
}

void PrometheusWriter::sample(std::string_view name, std::initializer_list<Label> l, double v) {
  out_ += name;
  labels(l);
  value(v);
}

void PrometheusWriter::sample(std::string_view name, std::initializer_list<Label> l,
                              std::uint64_t v) {
  integer_sample(name, l, std::to_string(v));
}

void PrometheusWriter::sample(std::string_view name, std::initializer_list<Label> l,
                              std::int64_t v) {
  integer_sample(name, l, std::to_string(v));
}

// Integers print exactly, not through a double.
void PrometheusWriter::integer_sample(std::string_view name, std::initializer_list<Label> l,
                                      std::string_view digits) {
  out_ += name;
  labels(l);
  out_ += ' ';
  out_ += digits;
  out_ += '\n';
}

void PrometheusWriter::sample_raw(std::string_view name, std::string_view label_text,
                                  std::string_view extra_label, std::string_view extra_value,
                                  double v) {
  out_ += name;
  out_ += '{';
  out_ += label_text;
  if (!extra_label.empty()) {
    if (!label_text.empty()) out_ += ',';
    out_ += extra_label;
    out_ += "=\"";
    out_ += extra_value;
    out_ += '"';
  }
  out_ += '}';
  value(v);
}

}  // namespace pend::metrics
