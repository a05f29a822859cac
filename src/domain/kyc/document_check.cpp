#include "domain/kyc/document_check.hpp"

#include <magic.h>
#include <zlib.h>

#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace pend::domain::kyc {

namespace {

constexpr std::uint64_t kMaxInflatedBytes = 64ULL * 1024 * 1024;  // per document, in all

// A thread's libmagic cookie with the system database loaded once.
class Magic {
 public:
  Magic()
      : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR | MAGIC_NO_CHECK_COMPRESS |
                           MAGIC_NO_CHECK_TAR | MAGIC_NO_CHECK_ELF)) {
    if (cookie_ == nullptr) throw std::runtime_error("libmagic could not start");
    if (magic_load(cookie_, nullptr) != 0) {
      magic_close(cookie_);
      throw std::runtime_error("libmagic has no database (is libmagic-mgc installed?)");
    }
    std::size_t bytes = DocumentCheck::kHeadBytes;
    magic_setparam(cookie_, MAGIC_PARAM_BYTES_MAX, &bytes);
  }
  ~Magic() { magic_close(cookie_); }
  Magic(const Magic&) = delete;
  Magic& operator=(const Magic&) = delete;

  std::string mime_type(std::string_view bytes) const {
    const char* type = magic_buffer(cookie_, bytes.data(), bytes.size());
    return type == nullptr ? std::string{} : std::string{type};
  }

 private:
  magic_t cookie_;
};

std::uint32_t big_endian32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

std::string_view content_type_of(DocumentType type) {
  switch (type) {
    case DocumentType::jpeg:
      return "image/jpeg";
    case DocumentType::png:
      return "image/png";
    case DocumentType::pdf:
      return "application/pdf";
  }
  return "application/octet-stream";
}

std::string magic_mime_type(std::string_view bytes) {
  thread_local const Magic magic;
  return magic.mime_type(bytes);
}

class DocumentCheck::Scanner {
 public:
  virtual ~Scanner() = default;
  virtual void feed(std::string_view bytes) = 0;
  virtual void finish() = 0;

  std::optional<Refusal> refusal;
  unsigned width = 0;
  unsigned height = 0;
  bool have_size = false;

 protected:
  void refuse(std::string code, std::string message) {
    if (!refusal) refusal = Refusal{std::move(code), std::move(message)};
  }
};

namespace {

// PNG: the signature, then IHDR first with width and height (big-endian).
class PngScanner final : public DocumentCheck::Scanner {
 public:
  void feed(std::string_view bytes) override {
    for (const char c : bytes) {
      if (head_.size() == head_.capacity()) return;
      head_.push_back(static_cast<unsigned char>(c));
    }
    if (head_.size() == head_.capacity()) parse();
  }
  void finish() override {
    if (!have_size && !refusal) parse();
  }

 private:
  void parse() {
    static constexpr std::array<unsigned char, 8> kSignature = {0x89, 'P',  'N',  'G',
                                                                0x0d, 0x0a, 0x1a, 0x0a};
    if (head_.size() < 24 || !std::equal(kSignature.begin(), kSignature.end(), head_.begin()) ||
        big_endian32(&head_[8]) != 13 ||
        std::string_view(reinterpret_cast<char*>(&head_[12]), 4) != "IHDR") {
      refuse("invalid_image", "the PNG image has no valid header");
      return;
    }
    width = big_endian32(&head_[16]);
    height = big_endian32(&head_[20]);
    have_size = true;
  }

  std::vector<unsigned char> head_ = [] {
    std::vector<unsigned char> v;
    v.reserve(24);
    return v;
  }();
};

// JPEG: markers from SOI, skipping each segment by its length, to the first frame header
// (SOF0-SOF15 but DHT C4, JPG C8 and DAC CC) with height and width.
class JpegScanner final : public DocumentCheck::Scanner {
 public:
  void feed(std::string_view bytes) override {
    for (const char ch : bytes) {
      if (state_ == State::done || refusal) return;
      step(static_cast<unsigned char>(ch));
    }
  }
  void finish() override {
    if (!have_size) refuse("invalid_image", "the JPEG image ends before its frame header");
  }

 private:
  enum class State : std::uint8_t {
    soi0,
    soi1,
    marker_ff,
    marker,
    len_hi,
    len_lo,
    skip,
    frame,
    done
  };

  static bool is_frame(unsigned char m) {
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
  }

  void step(unsigned char c) {
    switch (state_) {
      case State::soi0:
        if (c != 0xff) return refuse("invalid_image", "the JPEG image has no start marker");
        state_ = State::soi1;
        return;
      case State::soi1:
        if (c != 0xd8) return refuse("invalid_image", "the JPEG image has no start marker");
        state_ = State::marker_ff;
        return;
      case State::marker_ff:
        if (c != 0xff) return refuse("invalid_image", "the JPEG image's markers are broken");
        state_ = State::marker;
        return;
      case State::marker:
        if (c == 0xff) return;  // fill bytes
        if (c == 0x01 || (c >= 0xd0 && c <= 0xd7)) {
          state_ = State::marker_ff;  // a marker without a segment
          return;
        }
        if (c == 0xd8 || c == 0xd9 || c == 0xda || c == 0x00) {
          return refuse("invalid_image", "the JPEG image has no frame header");
        }
        marker_ = c;
        state_ = State::len_hi;
        return;
      case State::len_hi:
        length_ = std::uint32_t{c} << 8;
        state_ = State::len_lo;
        return;
      case State::len_lo:
        length_ |= c;
        if (length_ < 2) return refuse("invalid_image", "the JPEG image's segments are broken");
        remaining_ = length_ - 2;
        if (is_frame(marker_)) {
          if (remaining_ < 5) return refuse("invalid_image", "the JPEG frame header is short");
          frame_.clear();
          state_ = State::frame;
        } else {
          state_ = remaining_ == 0 ? State::marker_ff : State::skip;
        }
        return;
      case State::skip:
        if (--remaining_ == 0) state_ = State::marker_ff;
        return;
      case State::frame:
        frame_.push_back(c);
        if (frame_.size() == 5) {
          height = (unsigned{frame_[1]} << 8) | frame_[2];
          width = (unsigned{frame_[3]} << 8) | frame_[4];
          have_size = true;
          state_ = State::done;
        }
        return;
      case State::done:
        return;
    }
  }

  State state_ = State::soi0;
  unsigned char marker_ = 0;
  std::uint32_t length_ = 0;
  std::uint32_t remaining_ = 0;
  std::vector<unsigned char> frame_;
};

bool is_pdf_space(unsigned char c) {
  return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}
bool is_pdf_delimiter(unsigned char c) {
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
         c == '}' || c == '/' || c == '%';
}
int hex_value(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The names and keywords of PDF syntax, a byte at a time: names with #xx decoded, and
// regular-character runs (keywords such as "stream"). Bounded: longer tokens are cut.
class PdfTokens {
 public:
  enum class Token : std::uint8_t { none, name, keyword };
  static constexpr std::size_t kMaxToken = 64;

  // The token the byte ended, if any (then text() holds it until the next call).
  Token step(unsigned char c) {
    Token ended = Token::none;
    const bool regular = !is_pdf_space(c) && !is_pdf_delimiter(c);
    if (in_comment_) {
      if (c == '\n' || c == '\r') in_comment_ = false;
      return Token::none;
    }
    if (kind_ != Token::none && !regular) {
      ended = kind_;
      done_ = current_;
      current_.clear();
      kind_ = Token::none;
    }
    if (c == '%') {
      in_comment_ = true;
    } else if (c == '/') {
      kind_ = Token::name;
      escape_ = 0;
    } else if (regular) {
      if (kind_ == Token::none) {
        kind_ = Token::keyword;
        escape_ = 0;
      }
      append(c);
    }
    return ended;
  }
  Token finish() {
    const Token ended = kind_;
    done_ = current_;
    current_.clear();
    kind_ = Token::none;
    return ended;
  }
  const std::string& text() const { return done_; }

 private:
  void append(unsigned char c) {
    if (kind_ == Token::name && (c == '#' || escape_ > 0)) {
      // #xx: two hex digits after '#' stand for one byte of the name.
      if (c == '#' && escape_ == 0) {
        escape_ = 1;
        return;
      }
      const int value = hex_value(c);
      if (value < 0) {  // not an escape after all: keep it as written
        push('#');
        if (escape_ == 2) push(static_cast<unsigned char>(pending_));
        escape_ = 0;
        push(c);
        return;
      }
      if (escape_ == 1) {
        pending_ = value;
        escape_ = 2;
        return;
      }
      push(static_cast<unsigned char>(pending_ * 16 + value));
      escape_ = 0;
      return;
    }
    push(c);
  }
  void push(unsigned char c) {
    if (current_.size() < kMaxToken) current_.push_back(static_cast<char>(c));
  }

  Token kind_ = Token::none;
  std::string current_;
  std::string done_;
  bool in_comment_ = false;
  int escape_ = 0;
  int pending_ = 0;
};

constexpr std::string_view kForbiddenNames[] = {
    "JavaScript", "JS",      "EmbeddedFile", "EmbeddedFiles", "FileAttachment", "Launch",
    "RichMedia",  "Encrypt", "XFA"};

std::string_view forbidden_reason(std::string_view name) {
  if (name == "JavaScript" || name == "JS") return "the PDF contains JavaScript";
  if (name == "EmbeddedFile" || name == "EmbeddedFiles" || name == "FileAttachment") {
    return "the PDF contains embedded files";
  }
  if (name == "Encrypt") return "encrypted PDFs are not accepted";
  return "the PDF contains active content";
}

// PDF: every name outside streams; stream bodies are skipped to "endstream" and, when they
// inflate (Flate), their contents are read for names too.
class PdfScanner final : public DocumentCheck::Scanner {
 public:
  PdfScanner() { build_endstream_table(); }
  ~PdfScanner() override {
    if (inflating_) inflateEnd(&zs_);
  }

  void feed(std::string_view bytes) override {
    std::size_t i = 0;
    while (i < bytes.size() && !refusal) {
      if (in_stream_) {
        // Up to the end of "endstream" (or of this piece), inflated in one go.
        const std::size_t start = i;
        bool ended = false;
        while (i < bytes.size() && !ended) {
          if (matched_ == 0) {
            // Most of a stream is data: skip to the next 'e' that could start "endstream".
            const void* e = std::memchr(bytes.data() + i, 'e', bytes.size() - i);
            if (e == nullptr) {
              i = bytes.size();
              break;
            }
            i = static_cast<std::size_t>(static_cast<const char*>(e) - bytes.data());
          }
          const auto c = static_cast<unsigned char>(bytes[i++]);
          while (matched_ > 0 && c != static_cast<unsigned char>(kEndstream[matched_])) {
            matched_ = fail_[matched_ - 1];
          }
          if (c == static_cast<unsigned char>(kEndstream[matched_])) ++matched_;
          ended = matched_ == kEndstream.size();
        }
        if (inflate_ok_) inflate_span(bytes.substr(start, i - start));
        if (ended) end_stream();
        continue;
      }
      const auto c = static_cast<unsigned char>(bytes[i]);
      if (after_stream_keyword_) {
        // "stream", then CRLF or LF, then the data.
        if (c == '\r') {
          ++i;
          continue;
        }
        after_stream_keyword_ = false;
        start_stream();
        if (c == '\n') ++i;
        continue;
      }
      ++i;
      const auto token = tokens_.step(c);
      check(token, tokens_);
      if (token == PdfTokens::Token::keyword && tokens_.text() == "stream") {
        if (c == '\n') {
          start_stream();  // the byte that ended the keyword was the end of line
        } else {
          after_stream_keyword_ = true;
        }
      }
    }
  }
  void finish() override {
    if (!refusal && !in_stream_) check(tokens_.finish(), tokens_);
  }

 private:
  void check(PdfTokens::Token token, const PdfTokens& tokens) {
    if (token != PdfTokens::Token::name) return;
    for (const auto forbidden : kForbiddenNames) {
      if (tokens.text() == forbidden) {
        refuse("pdf_active_content", std::string{forbidden_reason(forbidden)});
        return;
      }
    }
  }

  void start_stream() {
    in_stream_ = true;
    matched_ = 0;
    inflate_ok_ = true;
    inner_ = PdfTokens{};
    zs_ = z_stream{};
    inflating_ = inflateInit(&zs_) == Z_OK;
    inflate_ok_ = inflating_;
  }

  void end_stream() {
    in_stream_ = false;
    if (inflating_) {
      inflateEnd(&zs_);
      inflating_ = false;
    }
    if (inflate_ok_) check(inner_.finish(), inner_);
  }

  void inflate_span(std::string_view data) {
    std::array<unsigned char, 16 * 1024> out{};
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = static_cast<uInt>(data.size());
    while (inflate_ok_) {
      zs_.next_out = out.data();
      zs_.avail_out = out.size();
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      const std::size_t produced = out.size() - zs_.avail_out;
      inflated_ += produced;
      if (inflated_ > kMaxInflatedBytes) {
        refuse("pdf_too_complex", "the PDF's compressed streams expand too far");
        inflate_ok_ = false;
        return;
      }
      for (std::size_t i = 0; i < produced && !refusal; ++i) check(inner_.step(out[i]), inner_);
      if (rc == Z_STREAM_END) {
        check(inner_.finish(), inner_);
        inflate_ok_ = false;  // what follows up to endstream is not Flate data
        return;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        inflate_ok_ = false;  // not Flate (an image, or another filter): not read
        return;
      }
      if (zs_.avail_in == 0 && zs_.avail_out != 0) return;  // all taken: wait for more
      if (rc == Z_BUF_ERROR) return;
    }
  }

  void build_endstream_table() {
    fail_[0] = 0;
    for (std::size_t i = 1, k = 0; i < kEndstream.size(); ++i) {
      while (k > 0 && kEndstream[i] != kEndstream[k]) k = fail_[k - 1];
      if (kEndstream[i] == kEndstream[k]) ++k;
      fail_[i] = k;
    }
  }

  static constexpr std::string_view kEndstream = "endstream";
  std::array<std::size_t, 9> fail_{};
  PdfTokens tokens_;
  PdfTokens inner_;
  bool after_stream_keyword_ = false;
  bool in_stream_ = false;
  std::size_t matched_ = 0;
  z_stream zs_{};
  bool inflating_ = false;
  bool inflate_ok_ = false;
  std::uint64_t inflated_ = 0;
};

}  // namespace

DocumentCheck::DocumentCheck(const DocumentLimits& limits) : limits_(limits) {
  head_.reserve(kHeadBytes);
}

DocumentCheck::~DocumentCheck() = default;

void DocumentCheck::refuse(std::string code, std::string message) {
  if (!refusal_) refusal_ = Refusal{std::move(code), std::move(message)};
}

void DocumentCheck::feed(std::string_view bytes) {
  if (refusal_ || finished_) return;
  if (!type_) {
    const auto take = std::min(bytes.size(), kHeadBytes - head_.size());
    head_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (head_.size() < kHeadBytes) return;
    decide_type();
    if (refusal_) return;
  }
  scanner_->feed(bytes);
  if (scanner_->refusal) refusal_ = scanner_->refusal;
}

void DocumentCheck::decide_type() {
  const std::string mime = magic_mime_type(head_);
  if (mime == "image/jpeg") {
    type_ = DocumentType::jpeg;
    scanner_ = std::make_unique<JpegScanner>();
  } else if (mime == "image/png") {
    type_ = DocumentType::png;
    scanner_ = std::make_unique<PngScanner>();
  } else if (mime == "application/pdf") {
    type_ = DocumentType::pdf;
    scanner_ = std::make_unique<PdfScanner>();
  } else {
    refuse("unsupported_type", "only JPEG, PNG and PDF documents are accepted");
    return;
  }
  scanner_->feed(head_);
  head_.clear();
  head_.shrink_to_fit();
  if (scanner_->refusal) refusal_ = scanner_->refusal;
}

void DocumentCheck::finish() {
  if (finished_) return;
  finished_ = true;
  if (refusal_) return;
  if (!type_) {
    if (head_.empty()) {
      refuse("empty_document", "the document is empty");
      return;
    }
    decide_type();
    if (refusal_) return;
  }
  scanner_->finish();
  if (scanner_->refusal) {
    refusal_ = scanner_->refusal;
    return;
  }
  if (*type_ == DocumentType::pdf) return;
  width_ = scanner_->width;
  height_ = scanner_->height;
  const std::uint64_t pixels = std::uint64_t{width_} * height_;
  if (width_ < limits_.min_side || height_ < limits_.min_side || width_ > limits_.max_side ||
      height_ > limits_.max_side || pixels > limits_.max_pixels) {
    refuse("image_dimensions", "the image is " + std::to_string(width_) + " x " +
                                   std::to_string(height_) + " pixels; accepted: sides of " +
                                   std::to_string(limits_.min_side) + " to " +
                                   std::to_string(limits_.max_side) + " and at most " +
                                   std::to_string(limits_.max_pixels) + " pixels");
  }
}

}  // namespace pend::domain::kyc
