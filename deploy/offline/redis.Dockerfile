FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*
# As the official image: reachable from other containers.
RUN printf '#!/bin/sh\nexec /usr/bin/redis-server "$@" --bind 0.0.0.0 --protected-mode no\n' > /usr/local/bin/redis-server && chmod +x /usr/local/bin/redis-server
WORKDIR /data
CMD ["redis-server"]
