#include "domain/explorer/api.hpp"

namespace pend::domain::explorer::api {

void BlockListQuery::validate(http::Problems& problems) const {
  if (type && *type != "reorg")
    problems.add("type", "invalid", "type is reorg (the replaced blocks) or left out");
}

}  // namespace pend::domain::explorer::api
