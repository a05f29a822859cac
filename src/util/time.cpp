#include "util/time.hpp"

#include <charconv>

namespace pend::util {

namespace {

char* two_digits(char* out, unsigned value) {
  *out++ = static_cast<char>('0' + value / 10 % 10);
  *out++ = static_cast<char>('0' + value % 10);
  return out;
}

char* digits(char* out, std::int64_t value, int count) {
  for (int i = count - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + count;
}

}  // namespace

char* write_rfc3339(char* out, Microseconds at, TimePrecision precision) {
  using namespace std::chrono;
  const auto day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss time{at - day};
  const int year = static_cast<int>(date.year());
  out = digits(out, year < 0 ? 0 : year > 9999 ? 9999 : year, 4);
  *out++ = '-';
  out = two_digits(out, static_cast<unsigned>(date.month()));
  *out++ = '-';
  out = two_digits(out, static_cast<unsigned>(date.day()));
  *out++ = 'T';
  out = two_digits(out, static_cast<unsigned>(time.hours().count()));
  *out++ = ':';
  out = two_digits(out, static_cast<unsigned>(time.minutes().count()));
  *out++ = ':';
  out = two_digits(out, static_cast<unsigned>(time.seconds().count()));
  const std::int64_t micros = time.subseconds().count();
  if (precision == TimePrecision::milliseconds) {
    *out++ = '.';
    out = digits(out, micros / 1000, 3);
  } else if (precision == TimePrecision::microseconds) {
    *out++ = '.';
    out = digits(out, micros, 6);
  }
  *out++ = 'Z';
  return out;
}

std::string format_rfc3339(Microseconds at, TimePrecision precision) {
  char buffer[40];
  return {buffer, write_rfc3339(buffer, at, precision)};
}

std::string format_rfc3339(std::chrono::system_clock::time_point at, TimePrecision precision) {
  return format_rfc3339(std::chrono::floor<std::chrono::microseconds>(at), precision);
}

std::string format_unix_ms(std::int64_t unix_ms) {
  return format_rfc3339(Microseconds{std::chrono::milliseconds{unix_ms}});
}

std::optional<Microseconds> parse_rfc3339(std::string_view text) {
  const auto number = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const auto hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || *hour > 23 || *minute > 59 ||
      *second > 59) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{*year},
                            std::chrono::month{static_cast<unsigned>(*month)},
                            std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  std::size_t at = 19;
  std::int64_t micros = 0;
  if (at < text.size() && text[at] == '.') {
    std::size_t count = 0;
    for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++count) {
      if (count < 6) micros = micros * 10 + (text[at] - '0');
    }
    if (count == 0) return std::nullopt;
    for (; count < 6; ++count) micros *= 10;
  }
  const std::string_view zone = text.substr(at);
  minutes offset{0};
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto oh = number(at + 1, 2), om = number(at + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = hours{*oh} + minutes{*om};
    if (zone[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  return Microseconds{sys_days{date}.time_since_epoch() + hours{*hour} + minutes{*minute} +
                      seconds{*second} + microseconds{micros} - offset};
}

std::string format_date(std::chrono::system_clock::time_point at) {
  const std::string full = format_rfc3339(at, TimePrecision::seconds);
  return full.substr(0, 10);
}

}  // namespace pend::util
