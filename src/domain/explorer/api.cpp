#include "domain/explorer/api.hpp"

namespace pend::domain::explorer::api {

void BlockListQuery::validate(http::Problems& problems) const {
  if (type && *type != "reorg")
    problems.add("type", "invalid", "type is reorg (the replaced blocks) or left out");
}

void SearchQuery::validate(http::Problems& problems) const {
  if (!q || q->empty()) {
    problems.add("q", "required", "q is what to search for");
  } else if (q->size() > 100) {
    problems.add("q", "too_long", "at most 100 characters");
  }
}

}  // namespace pend::domain::explorer::api
